using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Reads an IDataView's feature and label columns in one pass into contiguous buffers, checks every value, and
/// moves them into tensors. The managed buffers are dropped as soon as the tensors exist.
/// </summary>
internal static class SequenceDataReader
{
    public static SequenceDataset Read(IDataView data, string featureColumnName, string labelColumnName, SequenceShapes shapes, Device device, string dataName)
    {
        DataViewSchema.Column featureColumn = data.Schema[featureColumnName];
        DataViewSchema.Column labelColumn = data.Schema[labelColumnName];
        long? knownRows = data.GetRowCount();
        int inputLength = shapes.InputLength ?? 0;
        int labelLength = shapes.LabelLength;

        var features = new GrowableFloats(knownRows is long r && shapes.InputLength is int l ? r * l * shapes.InputFeatureCount : 0);
        var labels = new GrowableFloats(knownRows is long r2 ? r2 * labelLength : 0);
        VBuffer<float> featureRow = default, labelRow = default;
        long rows = 0;
        using (DataViewRowCursor cursor = data.GetRowCursor(new[] { featureColumn, labelColumn }))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            var getLabels = cursor.GetGetter<VBuffer<float>>(labelColumn);
            while (cursor.MoveNext())
            {
                getFeatures(ref featureRow);
                getLabels(ref labelRow);
                int featureLength = featureRow.Length;
                if (featureLength == 0 || featureLength % shapes.InputFeatureCount != 0)
                    throw new InvalidOperationException($"{dataName}: feature column '{featureColumnName}' row {rows} holds {featureLength} values, which is not a positive multiple of InputFeatureCount = {shapes.InputFeatureCount}.");
                if (inputLength == 0)
                    inputLength = featureLength / shapes.InputFeatureCount;
                else if (featureLength != inputLength * shapes.InputFeatureCount)
                    throw new InvalidOperationException($"{dataName}: feature column '{featureColumnName}' row {rows} holds {featureLength} values ({featureLength / shapes.InputFeatureCount} steps), but earlier rows hold {inputLength} steps; all sequences in one fit must have the same length.");
                if (labelRow.Length != labelLength)
                    throw new InvalidOperationException($"{dataName}: label column '{labelColumnName}' row {rows} holds {labelRow.Length} values, but Horizon × OutputFeatureCount = {shapes.Horizon} × {shapes.OutputFeatureCount} = {labelLength}.");
                features.Append(featureRow, featureColumnName, rows, dataName);
                labels.Append(labelRow, labelColumnName, rows, dataName);
                rows++;
            }
        }
        if (rows == 0)
            throw new InvalidOperationException($"{dataName} has no rows.");
        if (rows > int.MaxValue)
            throw new InvalidOperationException($"{dataName} has {rows} rows; at most {int.MaxValue} are supported.");

        Tensor featureTensor = features.ToTensor(new[] { rows, inputLength, (long)shapes.InputFeatureCount }, device);
        features = null!; // the managed copy is garbage from here on
        Tensor labelTensor = labels.ToTensor(new[] { rows, (long)shapes.Horizon, shapes.OutputFeatureCount }, device);
        return new SequenceDataset(featureTensor, labelTensor);
    }

    /// <summary>A float buffer that grows by doubling and checks each value as it arrives.</summary>
    private sealed class GrowableFloats
    {
        private float[] _values;
        private long _count;

        public GrowableFloats(long capacity) => _values = new float[Math.Max(1024, Math.Min(capacity, Array.MaxLength))];

        public void Append(in VBuffer<float> row, string column, long rowIndex, string dataName)
        {
            if (_count + row.Length > _values.Length)
            {
                long needed = _count + row.Length;
                if (needed > Array.MaxLength)
                    throw new InvalidOperationException($"{dataName}: column '{column}' holds more than {Array.MaxLength} values in all; split the data.");
                Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _values.Length)));
            }
            Span<float> target = _values.AsSpan((int)_count, row.Length);
            row.CopyTo(target);
            for (int i = 0; i < target.Length; i++)
            {
                if (!float.IsFinite(target[i]))
                    throw new InvalidOperationException($"{dataName}: column '{column}' row {rowIndex} holds {target[i]} at position {i}; remove or impute non-finite values first.");
            }
            _count += row.Length;
        }

        public Tensor ToTensor(long[] shape, Device device)
        {
            Tensor onCpu = torch.empty(shape, ScalarType.Float32);
            onCpu.data<float>().CopyFrom(new ReadOnlySpan<float>(_values, 0, (int)_count), 0, 0);
            _values = Array.Empty<float>();
            if (device.type == DeviceType.CPU)
                return onCpu;
            using (onCpu)
                return onCpu.to(device);
        }
    }
}
