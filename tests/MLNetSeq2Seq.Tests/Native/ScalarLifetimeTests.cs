using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using MLNetSeq2Seq.Tests.Architecture;
using Mono.Cecil.Cil;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// TorchSharp's <c>Scalar</c> owns a native object and frees it in its finalizer; it is not tracked by dispose scopes.
/// A Scalar made implicitly (<c>tensor * 0.5</c>, <c>pow(2)</c>, <c>masked_fill(mask, x)</c>) is unreachable as soon as
/// its handle is read, so the finalizer thread may free it while libtorch is still reading it. Seen here: eight threads
/// scoring an attention model stopped with libtorch's "Expected false to be true" from <c>Scalar::toFloat</c>.
/// The library therefore makes every Scalar through one helper that disposes it after the call.
/// </summary>
public sealed class ScalarLifetimeTests
{
    private const string HelperType = "MLNetSeq2Seq.Native.TensorScalars";

    [Fact]
    public void The_library_makes_no_Scalar_that_only_the_finalizer_frees()
    {
        List<string> found = ScalarsLeftToTheFinalizer(typeof(Seq2SeqEstimator).Assembly.Location);

        Assert.True(found.Count == 0, "Scalars left to the finalizer:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_an_implicit_Scalar_where_there_is_one()
    {
        // This test class's own probe multiplies a tensor by a double: the scan must see it, or the test above proves nothing.
        List<string> found = ScalarsLeftToTheFinalizer(typeof(ScalarLifetimeTests).Assembly.Location);

        Assert.Contains(found, f => f.Contains(nameof(ImplicitScalarProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(TensorSumProbe), StringComparison.Ordinal)); // add's alpha of 1
        Assert.DoesNotContain(found, f => f.Contains(nameof(TensorDifferenceProbe), StringComparison.Ordinal)); // sub has none
        // Behind a virtual call: Optimizer.step dispatches to AdamW's managed step, whose lambda makes implicit Scalars.
        Assert.Contains(found, f => f.Contains(nameof(OptimizerStepProbe), StringComparison.Ordinal));
        Assert.DoesNotContain(found, f => f.Contains(nameof(OptimizerZeroGradProbe), StringComparison.Ordinal)); // zero_grad makes none
        // Reading a tensor: TorchSharp's ToDouble/ToSingle/ToBoolean/ToInt64 make a Scalar and drop it, and so does a bare ToScalar.
        Assert.Contains(found, f => f.Contains(nameof(TensorToDoubleProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(TensorToSingleProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(TensorToBooleanProbe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(TensorToInt64Probe), StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains(nameof(TensorToScalarProbe), StringComparison.Ordinal));
        // Outside the helper even a disposed ToScalar counts: the rule is one place that makes Scalars.
        Assert.Contains(found, f => f.Contains(nameof(DisposedToScalarProbe), StringComparison.Ordinal));
        // The helper's own reads, called from here, are not findings.
        Assert.DoesNotContain(found, f => f.Contains(nameof(HelperReadProbe), StringComparison.Ordinal));
    }

    [Fact]
    public void The_scan_flags_every_constructor_of_Scalar()
    {
        // TorchSharp's Scalar constructors are internal, so no probe can call one; the scan's rule is checked on a
        // reference to one taken from TorchSharp's own IL instead (ScalarExtensionMethods.ToScalar constructs a Scalar).
        using var torchSharp = AssemblyDefinition.ReadAssembly(typeof(TorchSharp.Scalar).Assembly.Location);
        MethodReference[] constructors = torchSharp.MainModule.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions).Where(i => i.OpCode == OpCodes.Newobj).Select(i => (MethodReference)i.Operand)
            .Where(m => m.DeclaringType.FullName == "TorchSharp.Scalar").ToArray();

        Assert.NotEmpty(constructors);
        Assert.All(constructors, c => Assert.True(MakesScalar(c), c.FullName));
    }

    private static TorchSharp.torch.Tensor ImplicitScalarProbe(TorchSharp.torch.Tensor tensor) => tensor * 0.5;

    private static TorchSharp.torch.Tensor TensorSumProbe(TorchSharp.torch.Tensor left, TorchSharp.torch.Tensor right) => left + right;

    private static TorchSharp.torch.Tensor TensorDifferenceProbe(TorchSharp.torch.Tensor left, TorchSharp.torch.Tensor right) => left - right;

    private static void OptimizerStepProbe(TorchSharp.torch.optim.Optimizer optimizer) => optimizer.step();

    private static void OptimizerZeroGradProbe(TorchSharp.torch.optim.Optimizer optimizer) => optimizer.zero_grad();

    private static double TensorToDoubleProbe(TorchSharp.torch.Tensor tensor) => tensor.ToDouble();

    private static float TensorToSingleProbe(TorchSharp.torch.Tensor tensor) => tensor.ToSingle();

    private static bool TensorToBooleanProbe(TorchSharp.torch.Tensor tensor) => tensor.ToBoolean();

    private static long TensorToInt64Probe(TorchSharp.torch.Tensor tensor) => tensor.ToInt64();

    private static TorchSharp.Scalar TensorToScalarProbe(TorchSharp.torch.Tensor tensor) => tensor.ToScalar();

    private static double DisposedToScalarProbe(TorchSharp.torch.Tensor tensor)
    {
        using TorchSharp.Scalar value = tensor.ToScalar();
        return value.ToDouble();
    }

    private static double HelperReadProbe(TorchSharp.torch.Tensor tensor) => MLNetSeq2Seq.Native.TensorScalars.ReadDouble(tensor);

    /// <summary>Calls that make a Scalar nobody disposes: the implicit conversions, and TorchSharp methods whose own body
    /// makes a Scalar and never disposes one (the operators taking a .NET number, <c>add(tensor)</c> with its implicit
    /// alpha, <c>arange(long)</c>, <c>Tensor.ToDouble()</c> and its kin). Scalars made explicitly (ToScalar) are allowed only
    /// in the helper type, which keeps each one alive until the call that uses it has returned, then disposes it.</summary>
    private static List<string> ScalarsLeftToTheFinalizer(string assemblyPath)
    {
        var found = new List<string>();
        var verdicts = new Dictionary<string, bool>();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var (type, method, instruction, called) in IlCalls.In(assembly))
        {
            if (type.FullName == HelperType && called.Name == "ToScalar")
                continue; // the helper owns what it makes: disposed after use, or a process-lifetime constant
            bool madeHere = MakesScalar(called);
            bool madeInside = !madeHere && called.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal)
                && LeavesAScalarToTheFinalizer(called, verdicts);
            if (madeHere || madeInside)
                found.Add($"{method.FullName} (IL_{instruction.Offset:x4}): {called.FullName}");
        }
        return found;
    }

    /// <summary>Calls that hand out a new Scalar: the implicit conversions, <c>new Scalar</c>, the ToScalar extensions on
    /// numbers and <c>Tensor.ToScalar()</c> (which TorchSharp's <c>Tensor.ToDouble()</c>, <c>ToSingle()</c>,
    /// <c>ToBoolean()</c>, <c>ToInt64()</c> call and drop: the scan finds those as TorchSharp methods that leave one).</summary>
    private static bool MakesScalar(MethodReference called) =>
        (called.DeclaringType.FullName == "TorchSharp.Scalar" && called.Name is "op_Implicit" or ".ctor")
        || (called.DeclaringType.FullName == "TorchSharp.ScalarExtensionMethods" && called.Name.StartsWith("To", StringComparison.Ordinal)
            && called.ReturnType.FullName == "TorchSharp.Scalar")
        || (called.Name == "ToScalar" && called.ReturnType.FullName == "TorchSharp.Scalar"
            && called.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal));

    /// <summary>Whether a TorchSharp method makes a Scalar in its own body and disposes none, or calls (two levels down)
    /// a TorchSharp method that does: <c>tensor + tensor</c> calls <c>add(tensor)</c>, which passes an implicit alpha.
    /// A virtual method of TorchSharp's optimizers also counts when one of its TorchSharp overrides does: the training
    /// step used to call <c>Optimizer.step()</c>, which dispatches to AdamW's managed step (a body the plain scan never sees).</summary>
    private static bool LeavesAScalarToTheFinalizer(MethodReference called, Dictionary<string, bool> verdicts, int depth = 0)
    {
        if (verdicts.TryGetValue(called.FullName, out bool known))
            return known;
        MethodDefinition? definition = called.Resolve();
        if (definition is { IsVirtual: true } && IsOptimizer(definition.DeclaringType)
            && OverridesIn(definition).Any(o => LeavesAScalarToTheFinalizer(o, verdicts, depth)))
        {
            if (depth == 0)
                verdicts[called.FullName] = true;
            return true;
        }
        if (definition is not { HasBody: true })
            return false;
        var callees = definition.Body.Instructions.Select(i => i.Operand).OfType<MethodReference>().ToList();
        bool disposes = callees.Any(m => m.DeclaringType.FullName == "TorchSharp.Scalar" && m.Name == "Dispose");
        bool leaves = !disposes && (callees.Any(MakesScalar) || (depth < 2 && callees.Any(m =>
            m.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal) && m.FullName != called.FullName
            && LeavesAScalarToTheFinalizer(m, verdicts, depth + 1))));
        if (depth == 0)
            verdicts[called.FullName] = leaves; // deeper verdicts depend on the depth left, so only top-level ones are kept
        return leaves;
    }

    private static bool IsOptimizer(TypeDefinition? type)
    {
        for (; type is not null; type = type.BaseType?.Resolve())
            if (type.FullName == "TorchSharp.torch/optim/Optimizer")
                return true;
        return false;
    }

    /// <summary>The overrides of <paramref name="method"/> in the types of its own assembly that derive from its type.</summary>
    private static IEnumerable<MethodDefinition> OverridesIn(MethodDefinition method) =>
        method.Module.GetTypes()
            .Where(t => t != method.DeclaringType && DerivesFrom(t, method.DeclaringType))
            .SelectMany(t => t.Methods)
            .Where(m => m.IsVirtual && !m.IsNewSlot && m.HasBody && m.Name == method.Name && m.Parameters.Count == method.Parameters.Count
                && m.Parameters.Select(p => p.ParameterType.FullName).SequenceEqual(method.Parameters.Select(p => p.ParameterType.FullName)));

    private static bool DerivesFrom(TypeDefinition type, TypeDefinition ancestor)
    {
        for (TypeDefinition? t = type.BaseType?.Resolve(); t is not null; t = t.BaseType?.Resolve())
            if (t == ancestor)
                return true;
        return false;
    }
}
