using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// The library's only way to give libtorch a number. TorchSharp's <see cref="Scalar"/> owns a native object, is not
/// tracked by dispose scopes, and is freed by its finalizer; a Scalar made implicitly (<c>tensor * 0.5</c>,
/// <c>pow(2)</c>, and TorchSharp's own <c>add(tensor)</c>, which passes an implicit alpha of 1) is unreachable once its
/// handle is read, so the finalizer thread can free it while libtorch still reads it. Seen here with eight threads
/// scoring one model: libtorch stopped with "Expected false to be true" from <c>Scalar::toFloat</c>.
/// Every Scalar made here is either a process-lifetime constant (never finalized; libtorch only reads it) or disposed
/// after the call that uses it, and every number read back from a tensor goes through a Scalar disposed here
/// (<see cref="ReadDouble"/>, <see cref="ReadBoolean"/>, <see cref="ReadInt64"/>). <c>ScalarLifetimeTests</c> scans the compiled library for any other way in.
/// </summary>
internal static class TensorScalars
{
    private static readonly Scalar s_one = 1.ToScalar();

    // Disposes the Scalar after the call that uses it; until then the reference keeps the finalizer away.
    private static Tensor With(Scalar value, Func<Scalar, Tensor> use)
    {
        using (value)
            return use(value);
    }

    /// <summary><paramref name="left"/> + <paramref name="right"/> (libtorch's add with alpha 1).</summary>
    public static Tensor Plus(Tensor left, Tensor right) => left.add(right, s_one);

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/> (libtorch's add_ with alpha 1).</summary>
    public static Tensor AddInPlace(Tensor target, Tensor source) => target.add_(source, s_one);

    /// <summary>Adds <paramref name="value"/> to every element of <paramref name="target"/> (libtorch's add_ with alpha 1).</summary>
    public static Tensor AddInPlace(Tensor target, double value) =>
        With(value.ToScalar(), scalar => target.add_(scalar, s_one));

    /// <summary>Adds <paramref name="alpha"/> × <paramref name="source"/> into <paramref name="target"/> (libtorch's add_).</summary>
    public static Tensor AddScaledInPlace(Tensor target, Tensor source, double alpha) =>
        With(alpha.ToScalar(), scalar => target.add_(source, scalar));

    /// <summary>Adds <paramref name="value"/> × <paramref name="left"/> × <paramref name="right"/> into <paramref name="target"/> (libtorch's addcmul_).</summary>
    public static Tensor AddProductInPlace(Tensor target, Tensor left, Tensor right, double value) =>
        With(value.ToScalar(), scalar => target.addcmul_(left, right, scalar));

    /// <summary>Adds <paramref name="value"/> × <paramref name="numerator"/> ÷ <paramref name="denominator"/> into <paramref name="target"/> (libtorch's addcdiv_).</summary>
    public static Tensor AddQuotientInPlace(Tensor target, Tensor numerator, Tensor denominator, double value) =>
        With(value.ToScalar(), scalar => target.addcdiv_(numerator, denominator, scalar));

    /// <summary>Multiplies <paramref name="target"/> by <paramref name="factor"/> in place (libtorch's mul_).</summary>
    public static Tensor TimesInPlace(Tensor target, double factor) =>
        With(factor.ToScalar(), scalar => target.mul_(scalar));

    /// <summary><paramref name="left"/> + <paramref name="right"/>.</summary>
    public static Tensor Plus(Tensor left, double right) =>
        With(right.ToScalar(), value => left.add(value, s_one));

    /// <summary><paramref name="left"/> − <paramref name="right"/> (the dtype of <paramref name="left"/> is kept for integer tensors).</summary>
    public static Tensor Minus(Tensor left, long right) =>
        With(right.ToScalar(), value => left.sub(value));

    /// <summary><paramref name="left"/> − <paramref name="right"/>.</summary>
    public static Tensor Minus(Tensor left, double right) =>
        With(right.ToScalar(), value => left.sub(value));

    /// <summary><paramref name="left"/> × <paramref name="right"/>.</summary>
    public static Tensor Times(Tensor left, double right) =>
        With(right.ToScalar(), value => left.mul(value));

    /// <summary><paramref name="left"/> ÷ <paramref name="right"/>.</summary>
    public static Tensor DividedBy(Tensor left, double right) =>
        With(right.ToScalar(), value => left.div(value));

    /// <summary><paramref name="left"/> ÷ <paramref name="right"/> as TorchSharp computes it (reciprocal, then scale).</summary>
    public static Tensor DividedBy(double left, Tensor right)
    {
        using Scalar value = left.ToScalar();
        using Tensor reciprocal = right.reciprocal();
        return reciprocal.mul(value);
    }

    /// <summary><paramref name="tensor"/> raised to <paramref name="exponent"/>.</summary>
    public static Tensor Power(Tensor tensor, int exponent) =>
        With(exponent.ToScalar(), value => tensor.pow(value));

    /// <summary>Element-wise minimum of <paramref name="tensor"/> and <paramref name="maximum"/>.</summary>
    public static Tensor ClampMax(Tensor tensor, double maximum) =>
        With(maximum.ToScalar(), value => tensor.clamp_max(value));

    /// <summary><paramref name="tensor"/> ≤ <paramref name="bound"/>.</summary>
    public static Tensor AtMost(Tensor tensor, double bound) =>
        With(bound.ToScalar(), value => tensor.le(value));

    /// <summary><paramref name="tensor"/> &lt; <paramref name="bound"/>.</summary>
    public static Tensor LessThan(Tensor tensor, long bound) =>
        With(bound.ToScalar(), value => tensor.lt(value));

    /// <summary><paramref name="tensor"/> ≥ <paramref name="bound"/>.</summary>
    public static Tensor AtLeast(Tensor tensor, long bound) =>
        With(bound.ToScalar(), value => tensor.ge(value));

    /// <summary>A copy of <paramref name="tensor"/> with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFill(Tensor tensor, Tensor mask, double value) =>
        With(value.ToScalar(), fill => tensor.masked_fill(mask, fill));

    /// <summary>Writes <paramref name="value"/> into <paramref name="tensor"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFillInPlace(Tensor tensor, Tensor mask, long value) =>
        With(value.ToScalar(), fill => tensor.masked_fill_(mask, fill));

    /// <summary>Writes <paramref name="value"/> into every element of <paramref name="tensor"/>.</summary>
    public static Tensor FillInPlace(Tensor tensor, long value) =>
        With(value.ToScalar(), fill => tensor.fill_(fill));

    /// <summary>A new tensor of <paramref name="shape"/> holding <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, long value, ScalarType dtype, Device device) =>
        With(value.ToScalar(), fill => torch.full(shape, fill, dtype: dtype, device: device));

    // Reading a one-element tensor: TorchSharp's Tensor.ToDouble()/ToBoolean()/ToInt64() make a Scalar and drop it, so
    // these read through a Scalar this method owns and disposes.

    /// <summary>The value of the one-element <paramref name="tensor"/> as a double (synchronises its device).</summary>
    public static double ReadDouble(Tensor tensor)
    {
        using Scalar value = tensor.ToScalar();
        return value.ToDouble();
    }

    /// <summary>The value of the one-element <paramref name="tensor"/> as a bool (synchronises its device).</summary>
    public static bool ReadBoolean(Tensor tensor)
    {
        using Scalar value = tensor.ToScalar();
        return value.ToBoolean();
    }

    /// <summary>The value of the one-element <paramref name="tensor"/> as a long (synchronises its device).</summary>
    public static long ReadInt64(Tensor tensor)
    {
        using Scalar value = tensor.ToScalar();
        return value.ToInt64();
    }

    /// <summary>0, 1, …, <paramref name="count"/> − 1 as int64 on <paramref name="device"/>.</summary>
    public static Tensor Range(long count, Device device)
    {
        using Scalar start = 0L.ToScalar(), stop = count.ToScalar(), step = 1L.ToScalar();
        return torch.arange(start, stop, step, dtype: ScalarType.Int64, device: device);
    }
}
