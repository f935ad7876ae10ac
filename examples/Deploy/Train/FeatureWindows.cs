using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Deploy;

/// <summary>Feature windows as an ML.NET view of one fixed-shape column, and a score column read back row after row.</summary>
internal static class FeatureWindows
{
    public sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>A view with one column, Features, typed <c>Vector&lt;Single, L, F&gt;</c>: the fixed length the ONNX graph is written for.</summary>
    public static IDataView ToDataView(MLContext ml, IEnumerable<float[]> windows, int inputLength, int featureCount)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputLength, featureCount);
        return ml.Data.LoadFromEnumerable(windows.Select(w => new Row { Features = w }), schema);
    }

    /// <summary>The column <paramref name="column"/> of <paramref name="model"/>'s output on <paramref name="data"/>, flattened row after row.</summary>
    public static float[] Scores(ITransformer model, IDataView data, string column)
    {
        IDataView scored = model.Transform(data);
        var values = new List<float>();
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema[column] });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(scored.Schema[column]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            values.AddRange(buffer.DenseValues());
        }
        return values.ToArray();
    }
}
