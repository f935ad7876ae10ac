using System;

namespace MLNetSeq2Seq.Onnx;

/// <summary>
/// Typed helpers over <see cref="IOnnxGraph"/> for the operators the networks need, each valid at opset 10 to 12 (the
/// range ML.NET's converter writes): Slice takes its bounds as inputs (opset 10+), Squeeze, Unsqueeze and ReduceMean
/// take their axes as attributes (before opset 13), Softmax flattens from its axis (before opset 13; every use here is
/// on the last axis, where that is the usual softmax). Values are variable names; shapes in comments are the ones
/// the callers rely on.
/// </summary>
internal sealed class OnnxOps(IOnnxGraph graph)
{
    /// <summary>The lowest opset whose operators these helpers write.</summary>
    public const int MinimumOpset = 10;

    public IOnnxGraph Graph { get; } = graph;

    public string Floats(string name, float[] values, params long[] dims) => Graph.Floats(name, values, dims);

    public string Int64s(string name, params long[] values) => Graph.Int64s(name, values, new long[] { values.Length });

    /// <summary>A one-element constant (shape [1]: ML.NET's initializers need a dimension), broadcast like a scalar.</summary>
    public string Scalar(string name, float value) => Graph.Floats(name, new[] { value }, new long[] { 1 });

    public string Unary(string op, string x) => Graph.Node(op, new[] { x }, 1)[0];

    public string Binary(string op, string a, string b) => Graph.Node(op, new[] { a, b }, 1)[0];

    public string Add(string a, string b) => Binary("Add", a, b);

    public string Sub(string a, string b) => Binary("Sub", a, b);

    public string Mul(string a, string b) => Binary("Mul", a, b);

    public string Div(string a, string b) => Binary("Div", a, b);

    public string MatMul(string a, string b) => Binary("MatMul", a, b);

    public string Tanh(string x) => Unary("Tanh", x);

    public string Relu(string x) => Unary("Relu", x);

    public string Sqrt(string x) => Unary("Sqrt", x);

    public string Shape(string x) => Unary("Shape", x);

    public string Concat(long axis, params string[] inputs) =>
        inputs.Length == 1 ? inputs[0] : Graph.Node("Concat", inputs, 1, new[] { OnnxAttribute.Int("axis", axis) })[0];

    /// <summary>Reshape; 0 in <paramref name="shape"/> keeps that dimension, -1 infers it.</summary>
    public string Reshape(string x, params long[] shape) => Binary("Reshape", x, Int64s("shape", shape));

    public string Transpose(string x, params long[] permutation) =>
        Graph.Node("Transpose", new[] { x }, 1, new[] { OnnxAttribute.Ints("perm", permutation) })[0];

    /// <summary>x[start:end] along <paramref name="axis"/>.</summary>
    public string Slice(string x, long axis, long start, long end) =>
        Graph.Node("Slice", new[] { x, Int64s("starts", start), Int64s("ends", end), Int64s("axes", axis) }, 1)[0];

    /// <summary>index_select: the entries <paramref name="indices"/> of <paramref name="axis"/>, in that order.</summary>
    public string Gather(string x, long axis, long[] indices) =>
        Graph.Node("Gather", new[] { x, Int64s("indices", indices) }, 1, new[] { OnnxAttribute.Int("axis", axis) })[0];

    public string Unsqueeze(string x, params long[] axes) =>
        Graph.Node("Unsqueeze", new[] { x }, 1, new[] { OnnxAttribute.Ints("axes", axes) })[0];

    public string Squeeze(string x, params long[] axes) =>
        Graph.Node("Squeeze", new[] { x }, 1, new[] { OnnxAttribute.Ints("axes", axes) })[0];

    public string ReduceMean(string x, long axis) =>
        Graph.Node("ReduceMean", new[] { x }, 1, new[] { OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", 1) })[0];

    /// <summary>Softmax over the last axis of a 2-D input.</summary>
    public string Softmax(string x, long axis) =>
        Graph.Node("Softmax", new[] { x }, 1, new[] { OnnxAttribute.Int("axis", axis) })[0];

    /// <summary>Broadcasts <paramref name="x"/> to the shape held by the int64 vector <paramref name="shape"/> (numpy rules, both ways).</summary>
    public string Expand(string x, string shape) => Binary("Expand", x, shape);

    /// <summary>The first dimension of <paramref name="x"/> as an int64 vector of one element (the batch size at run time).</summary>
    public string BatchSize(string x) => Slice(Shape(x), 0, 0, 1);

    /// <summary>x · Wᵀ + b for a torch Linear's weight (out × in) and optional bias (out), over the last axis of any rank.</summary>
    public string Linear(string x, OnnxWeights weights, string prefix, bool bias = true)
    {
        string y = MatMul(x, weights.Transposed($"{prefix}.weight", this));
        return bias ? Add(y, weights.Constant($"{prefix}.bias", this)) : y;
    }
}
