using System;
using System.Collections.Generic;
using Microsoft.ML.Model.OnnxConverter;
using MLNetSeq2Seq.Onnx;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// <see cref="IOnnxGraph"/> over ML.NET's converter context (OnnxContext, internal to Microsoft.ML.Data, hence here).
/// Names are prefixed so that they stay apart from the pipeline's column names, which the context keeps in the same
/// table; nodes are in the standard domain (the context's default is ai.onnx.ml).
/// </summary>
internal sealed class OnnxContextGraph(OnnxContext context, string prefix) : IOnnxGraph
{
    public string Floats(string name, float[] values, long[] dims) =>
        context.AddInitializer(values, dims, Prefixed(name));

    public string Int64s(string name, long[] values, long[] dims) =>
        context.AddInitializer(values, dims, Prefixed(name));

    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputCount, IReadOnlyList<OnnxAttribute>? attributes = null)
    {
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
            outputs[i] = context.AddIntermediateVariable(null, Prefixed(opType), skip: true);
        OnnxNode node = context.CreateNode(opType, inputs, outputs, context.GetNodeName(Prefixed(opType)), "");
        foreach (OnnxAttribute attribute in attributes ?? Array.Empty<OnnxAttribute>())
        {
            switch (attribute.Value)
            {
                case long value: node.AddAttribute(attribute.Name, value); break;
                case float value: node.AddAttribute(attribute.Name, (double)value); break;
                case string value: node.AddAttribute(attribute.Name, value); break;
                case long[] values: node.AddAttribute(attribute.Name, values); break;
                default: throw new ArgumentException($"ONNX attribute '{attribute.Name}' has an unsupported value type {attribute.Value.GetType()}.", nameof(attributes));
            }
        }
        return outputs;
    }

    private string Prefixed(string name) => prefix + name;
}
