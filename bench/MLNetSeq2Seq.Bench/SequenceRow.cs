using System;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Bench;

/// <summary>One sequence of W1: Features L × 7 and Label 24 × 7 floats, time-major. L is chosen at run time, so the
/// vector sizes come from a schema definition instead of attributes.</summary>
public sealed class SequenceRow
{
    public const string FeatureColumn = "Features";
    public const string LabelColumn = "Label";

    public float[] Features { get; set; } = Array.Empty<float>();

    public float[] Label { get; set; } = Array.Empty<float>();

    public static SchemaDefinition SchemaFor(int inputLength)
    {
        SchemaDefinition definition = SchemaDefinition.Create(typeof(SequenceRow));
        definition[FeatureColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength, Workload.FeatureCount);
        definition[LabelColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Workload.Horizon, Workload.OutputFeatureCount);
        return definition;
    }
}
