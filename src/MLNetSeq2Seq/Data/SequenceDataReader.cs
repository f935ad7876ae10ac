using System;
using System.Linq;
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
        bool labelLengthVaries = ((VectorDataViewType)labelColumn.Type).Size == 0;
        long? knownRows = data.GetRowCount();
        int featureCount = shapes.InputFeatureCount, outputCount = shapes.OutputFeatureCount;

        var features = new GrowableFloats(knownRows is long r && shapes.InputLength is int l ? r * l * featureCount : 0);
        var labels = new GrowableFloats(knownRows is long r2 ? r2 * shapes.LabelLength : 0);
        var featureSteps = new System.Collections.Generic.List<int>();
        var labelSteps = new System.Collections.Generic.List<int>();
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
                if (featureRow.Length == 0 || featureRow.Length % featureCount != 0)
                    throw new InvalidOperationException($"{dataName}: feature column '{featureColumnName}' row {rows} holds {featureRow.Length} values, which is not a positive multiple of InputFeatureCount = {featureCount}.");
                if (labelLengthVaries)
                {
                    if (labelRow.Length == 0 || labelRow.Length % outputCount != 0 || labelRow.Length > shapes.LabelLength)
                        throw new InvalidOperationException($"{dataName}: label column '{labelColumnName}' row {rows} holds {labelRow.Length} values; a variable-length label needs a positive multiple of OutputFeatureCount = {outputCount}, at most Horizon × OutputFeatureCount = {shapes.Horizon} × {outputCount} = {shapes.LabelLength}.");
                }
                else if (labelRow.Length != shapes.LabelLength)
                {
                    throw new InvalidOperationException($"{dataName}: label column '{labelColumnName}' row {rows} holds {labelRow.Length} values, but Horizon × OutputFeatureCount = {shapes.Horizon} × {outputCount} = {shapes.LabelLength}.");
                }
                features.Append(featureRow, featureColumnName, rows, dataName);
                labels.Append(labelRow, labelColumnName, rows, dataName);
                featureSteps.Add(featureRow.Length / featureCount);
                labelSteps.Add(labelRow.Length / outputCount);
                rows++;
            }
        }
        if (rows == 0)
            throw new InvalidOperationException($"{dataName} has no rows.");

        int maxSteps = featureSteps.Max();
        bool featuresVary = featureSteps.Any(steps => steps != maxSteps);
        bool labelsVary = labelSteps.Any(steps => steps != shapes.Horizon);
        Tensor featureTensor = features.ToPaddedTensor(featureSteps, maxSteps, featureCount, device);
        features = null!; // the managed copy is garbage from here on
        Tensor labelTensor = labels.ToPaddedTensor(labelSteps, shapes.Horizon, outputCount, device);
        return new SequenceDataset(featureTensor, labelTensor, featuresVary ? featureSteps.ToArray() : null, labelsVary ? labelSteps.ToArray() : null);
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

        /// <summary>Rows of <paramref name="steps"/>[i] × <paramref name="width"/> values, stored back to back, as an
        /// (N, maxSteps, width) tensor right-padded with zeros.</summary>
        public Tensor ToPaddedTensor(System.Collections.Generic.List<int> steps, int maxSteps, int width, Device device)
        {
            Tensor onCpu = torch.zeros(new long[] { steps.Count, maxSteps, width }, ScalarType.Float32);
            var accessor = onCpu.data<float>();
            if (steps.All(s => s == maxSteps))
            {
                accessor.CopyFrom(new ReadOnlySpan<float>(_values, 0, (int)_count), 0, 0);
            }
            else
            {
                long source = 0;
                for (int row = 0; row < steps.Count; row++)
                {
                    int length = steps[row] * width;
                    accessor.CopyFrom(new ReadOnlySpan<float>(_values, (int)source, length), 0, (long)row * maxSteps * width);
                    source += length;
                }
            }
            _values = Array.Empty<float>();
            if (device.type == DeviceType.CPU)
                return onCpu;
            using (onCpu)
                return onCpu.to(device);
        }
    }
}
