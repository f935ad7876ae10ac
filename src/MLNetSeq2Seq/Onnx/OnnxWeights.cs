using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Onnx;

/// <summary>
/// A trained network's state dict copied to float arrays at export time (names as in <c>state_dict()</c>, e.g.
/// <c>inner.encoder.rnn.weight_ih_l0</c>), handed to the graph as constants, each written once however often it is used.
/// </summary>
internal sealed class OnnxWeights
{
    private readonly Dictionary<string, (float[] Values, long[] Shape)> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public OnnxWeights(nn.Module network)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in network.state_dict())
        {
            Tensor values = tensor.detach().cpu().to(ScalarType.Float32).contiguous();
            _tensors[name] = (values.data<float>().ToArray(), tensor.shape);
        }
    }

    /// <summary>Whether the network has weight <paramref name="name"/> (optional modules are absent when unused).</summary>
    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>The values and shape of weight <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The network has no such weight (an exporter out of step with its module).</exception>
    public (float[] Values, long[] Shape) Get(string name) =>
        _tensors.TryGetValue(name, out var tensor) ? tensor
            : throw new InvalidDataException($"ONNX export: the network has no weight '{name}' (it has {string.Join(", ", _tensors.Keys)}).");

    /// <summary>Weight <paramref name="name"/> as a graph constant of its own shape.</summary>
    public string Constant(string name, OnnxOps ops)
    {
        if (_written.TryGetValue(name, out string? written))
            return written;
        var (values, shape) = Get(name);
        return _written[name] = ops.Floats(name, values, shape);
    }

    /// <summary>The transpose of the matrix <paramref name="name"/> (out × in → in × out), for x · Wᵀ with MatMul.</summary>
    public string Transposed(string name, OnnxOps ops)
    {
        string key = name + "ᵀ";
        if (_written.TryGetValue(key, out string? written))
            return written;
        var (values, shape) = Get(name);
        if (shape.Length != 2)
            throw new InvalidDataException($"ONNX export: weight '{name}' is not a matrix ({shape.Length} dimensions).");
        long rows = shape[0], columns = shape[1];
        var transposed = new float[values.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                transposed[c * rows + r] = values[r * columns + c];
        return _written[key] = ops.Floats(name + ".T", transposed, columns, rows);
    }
}
