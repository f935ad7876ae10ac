using System.Collections.Generic;

namespace MLNetSeq2Seq.Onnx;

/// <summary>
/// The little an ONNX export needs from a graph under construction: named constants and nodes of the standard
/// (<c>ai.onnx</c>) domain. Every name it returns is unique in the graph. The one implementation adapts ML.NET's
/// converter context (MLNetInterop/OnnxContextGraph.cs), so nothing in this folder touches ML.NET internals.
/// </summary>
internal interface IOnnxGraph
{
    /// <summary>A float32 initializer shaped <paramref name="dims"/>; returns its variable name.</summary>
    string Floats(string name, float[] values, long[] dims);

    /// <summary>An int64 initializer shaped <paramref name="dims"/>; returns its variable name.</summary>
    string Int64s(string name, long[] values, long[] dims);

    /// <summary>A node of the standard domain; returns the names of its <paramref name="outputCount"/> outputs.
    /// An empty string in <paramref name="inputs"/> leaves an optional input out.</summary>
    string[] Node(string opType, IReadOnlyList<string> inputs, int outputCount, IReadOnlyList<OnnxAttribute>? attributes = null);
}
