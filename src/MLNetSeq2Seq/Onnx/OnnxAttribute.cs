namespace MLNetSeq2Seq.Onnx;

/// <summary>A node attribute: its name and a long, a string or a long[] value.</summary>
internal sealed record OnnxAttribute(string Name, object Value)
{
    public static OnnxAttribute Int(string name, long value) => new(name, value);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, values);

    public static OnnxAttribute String(string name, string value) => new(name, value);
}
