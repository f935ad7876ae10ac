using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// Reads an IDataView's feature and label columns in one pass into contiguous buffers, checks every value, and
/// moves them into tensors. The managed buffers are dropped as soon as the tensors exist.
/// </summary>
internal static class SequenceDataReader
{
    /// <summary>
    /// Reads every row of <paramref name="data"/>. A row holding NaN or ±Infinity is an error naming it, or, with
    /// <see cref="NonFiniteRowHandling.Skip"/>, is dropped and counted in a warning on <paramref name="host"/>; no
    /// row left is an error either way. Row numbers in messages count the rows of <paramref name="data"/>, from 0.
    /// </summary>
    public static SequenceDataset Read(IDataView data, string featureColumnName, string labelColumnName, SequenceShapes shapes, Device device,
        string dataName, NonFiniteRowHandling nonFiniteRows = NonFiniteRowHandling.Throw, MLNetHost? host = null, bool copyWindows = false,
        string? futureColumnName = null)
    {
        if (!copyWindows && SeriesBacked(data, featureColumnName, labelColumnName, futureColumnName) is SequenceWindowDataView windows)
        {
            // The series once on the device, known-future features included: no per-window copy of either.
            var (inputs, targets, seriesFuture, starts) = windows.SeriesTensors(device, withFuture: futureColumnName is not null);
            var storage = new SeriesWindowStorage(inputs, targets, starts, windows.InputLength, windows.Horizon);
            try
            {
                return new SequenceDataset(storage, futureFeatures: seriesFuture is null ? null : FutureWindows.OverSeries(seriesFuture, starts, windows.InputLength, windows.Horizon));
            }
            catch
            {
                storage.Dispose();
                seriesFuture?.Dispose();
                throw;
            }
        }
        DataViewSchema.Column featureColumn = data.Schema[featureColumnName];
        DataViewSchema.Column labelColumn = data.Schema[labelColumnName];
        DataViewSchema.Column? futureColumn = futureColumnName is null ? null : data.Schema[futureColumnName];
        bool labelLengthVaries = ((VectorDataViewType)labelColumn.Type).Size == 0;
        long? knownRows = data.GetRowCount();
        int featureCount = shapes.InputFeatureCount, outputCount = shapes.OutputFeatureCount;

        var features = new GrowableFloats(knownRows is long r && shapes.InputLength is int l ? r * l * featureCount : 0);
        var labels = new GrowableFloats(knownRows is long r2 ? r2 * shapes.LabelLength : 0);
        var future = new GrowableFloats(futureColumn is null ? 0 : (knownRows ?? 0) * shapes.FutureLength);
        var featureSteps = new List<int>();
        var labelSteps = new List<int>();
        VBuffer<float> featureRow = default, labelRow = default, futureRow = default;
        long row = 0, dropped = 0, firstDropped = -1;
        var columns = futureColumn is DataViewSchema.Column f ? new[] { featureColumn, labelColumn, f } : new[] { featureColumn, labelColumn };
        using (DataViewRowCursor cursor = data.GetRowCursor(columns))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            var getLabels = cursor.GetGetter<VBuffer<float>>(labelColumn);
            var getFuture = futureColumn is DataViewSchema.Column fc ? cursor.GetGetter<VBuffer<float>>(fc) : null;
            for (; cursor.MoveNext(); row++)
            {
                getFeatures(ref featureRow);
                getLabels(ref labelRow);
                if (getFuture is not null)
                {
                    getFuture(ref futureRow);
                    if (futureRow.Length != shapes.FutureLength)
                        throw new InvalidOperationException($"{dataName}: future-feature column '{futureColumnName}' row {row} holds {futureRow.Length} values, but Horizon × K = {shapes.Horizon} × {shapes.FutureFeatureCount} = {shapes.FutureLength}.");
                }
                if (!AcceptRow(featureRow, labelRow, featureColumnName, labelColumnName, shapes, labelLengthVaries, row, dataName, nonFiniteRows)
                    || (getFuture is not null && !AllFinite(futureRow, "Future-feature", futureColumnName!, shapes.FutureFeatureCount, row, dataName, nonFiniteRows)))
                {
                    if (dropped++ == 0)
                        firstDropped = row;
                    continue;
                }
                features.Append(featureRow, featureColumnName, dataName);
                labels.Append(labelRow, labelColumnName, dataName);
                if (getFuture is not null)
                    future.Append(futureRow, futureColumnName!, dataName);
                featureSteps.Add(featureRow.Length / featureCount);
                labelSteps.Add(labelRow.Length / outputCount);
            }
        }
        if (row == 0)
            throw new InvalidOperationException($"{dataName} has no rows; Fit needs at least one sequence there (check the loader or filter that produced it).");
        if (dropped > 0)
        {
            string what = $"{dataName}: NonFiniteRows = Skip dropped {dropped} of {row} rows holding NaN or infinite values in '{featureColumnName}' or '{labelColumnName}' (the first is row {firstDropped})";
            if (dropped == row)
                throw new InvalidOperationException(what + "; no row is left. Impute or remove the non-finite values before Fit.");
            host?.Warning("Seq2Seq: " + what + ".");
        }

        int maxSteps = featureSteps.Max();
        bool featuresVary = featureSteps.Any(steps => steps != maxSteps);
        bool labelsVary = labelSteps.Any(steps => steps != shapes.Horizon);
        Tensor featureTensor = features.ToPaddedTensor(featureSteps, maxSteps, featureCount, device);
        features = null!; // the managed copy is garbage from here on
        Tensor labelTensor = labels.ToPaddedTensor(labelSteps, shapes.Horizon, outputCount, device);
        Tensor? futureTensor = futureColumn is null ? null
            : future.ToPaddedTensor(Enumerable.Repeat(shapes.Horizon, labelSteps.Count).ToList(), shapes.Horizon, shapes.FutureFeatureCount, device);
        return new SequenceDataset(featureTensor, labelTensor, featuresVary ? featureSteps.ToArray() : null, labelsVary ? labelSteps.ToArray() : null, futureTensor);
    }

    /// <summary>Checks one row's lengths (an error naming the row when wrong) and values: true to keep it; false when it holds
    /// NaN or ±Infinity and <paramref name="nonFiniteRows"/> is Skip (with Throw, an error naming the place).</summary>
    internal static bool AcceptRow(in VBuffer<float> featureRow, in VBuffer<float> labelRow, string featureColumnName, string labelColumnName,
        SequenceShapes shapes, bool labelLengthVaries, long row, string dataName, NonFiniteRowHandling nonFiniteRows)
    {
        if (featureRow.Length == 0 || featureRow.Length % shapes.InputFeatureCount != 0)
            throw new InvalidOperationException($"{dataName}: feature column '{featureColumnName}' row {row} holds {featureRow.Length} values, which is not a positive multiple of InputFeatureCount = {shapes.InputFeatureCount}.");
        if (labelLengthVaries)
        {
            if (labelRow.Length == 0 || labelRow.Length % shapes.OutputFeatureCount != 0 || labelRow.Length > shapes.LabelLength)
                throw new InvalidOperationException($"{dataName}: label column '{labelColumnName}' row {row} holds {labelRow.Length} values; a variable-length label needs a positive multiple of OutputFeatureCount = {shapes.OutputFeatureCount}, at most Horizon × OutputFeatureCount = {shapes.Horizon} × {shapes.OutputFeatureCount} = {shapes.LabelLength}.");
        }
        else if (labelRow.Length != shapes.LabelLength)
        {
            throw new InvalidOperationException($"{dataName}: label column '{labelColumnName}' row {row} holds {labelRow.Length} values, but Horizon × OutputFeatureCount = {shapes.Horizon} × {shapes.OutputFeatureCount} = {shapes.LabelLength}.");
        }
        if (!AllFinite(featureRow, "Feature", featureColumnName, shapes.InputFeatureCount, row, dataName, nonFiniteRows)
            || !AllFinite(labelRow, "Label", labelColumnName, shapes.OutputFeatureCount, row, dataName, nonFiniteRows))
            return false;
        return true;
    }

    /// <summary>
    /// The component's own window view when <paramref name="data"/> is one, or is one seen through ML.NET row-to-row
    /// transforms that pass its feature and label columns through unchanged (a pipeline that adds columns before the
    /// trainer), and it has windows; otherwise null (any other IDataView is copied row by row). Its series values are
    /// finite already (the view's reader checks them), and every window is full length, so nothing is skipped or padded.
    /// </summary>
    internal static SequenceWindowDataView? SeriesBacked(IDataView data, string featureColumnName, string labelColumnName, string? futureColumnName = null)
    {
        if (data.Schema.GetColumnOrNull(featureColumnName) is not DataViewSchema.Column feature || data.Schema.GetColumnOrNull(labelColumnName) is not DataViewSchema.Column label)
            return null;
        int[] wanted = new[] { feature.Index, label.Index };
        if (futureColumnName is not null)
        {
            if (data.Schema.GetColumnOrNull(futureColumnName) is not DataViewSchema.Column future)
                return null;
            wanted = wanted.Append(future.Index).ToArray();
        }
        var (origin, columns) = PassThroughColumns.Origin(data, wanted);
        return origin is SequenceWindowDataView windows && windows.WindowCount > 0 && columns[0] == windows.FeaturesColumn && columns[1] == windows.LabelColumn
            && (futureColumnName is null || columns[2] == windows.FutureFeaturesColumn)
            ? windows : null;
    }

    /// <summary>True when every value of the row is finite; otherwise false (Skip) or an error naming the place (Throw).</summary>
    private static bool AllFinite(in VBuffer<float> values, string role, string column, int width, long row, string dataName, NonFiniteRowHandling handling)
    {
        ReadOnlySpan<float> explicitValues = values.GetValues();
        int i = FiniteValues.IndexOfNonFinite(explicitValues);
        if (i < 0)
            return true;
        if (handling == NonFiniteRowHandling.Skip)
            return false;
        int position = values.IsDense ? i : values.GetIndices()[i];
        throw FiniteValues.Error(explicitValues[i], role, column, row,
            $"remove or impute non-finite values first, or set {nameof(Seq2SeqOptions)}.{nameof(Seq2SeqOptions.NonFiniteRows)} = {nameof(NonFiniteRowHandling)}.{nameof(NonFiniteRowHandling.Skip)} to drop such rows.",
            dataName, (position, width));
    }

    /// <summary>A float buffer that grows by doubling.</summary>
    private sealed class GrowableFloats
    {
        private float[] _values;
        private long _count;

        public GrowableFloats(long capacity) => _values = new float[Math.Max(1024, Math.Min(capacity, Array.MaxLength))];

        public void Append(in VBuffer<float> row, string column, string dataName)
        {
            if (_count + row.Length > _values.Length)
            {
                long needed = _count + row.Length;
                if (needed > Array.MaxLength)
                    throw new InvalidOperationException($"{dataName}: column '{column}' holds more than {Array.MaxLength} values in all; split the data.");
                Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _values.Length)));
            }
            row.CopyTo(_values.AsSpan((int)_count, row.Length));
            _count += row.Length;
        }

        /// <summary>Rows of <paramref name="steps"/>[i] × <paramref name="width"/> values, stored back to back, as an
        /// (N, maxSteps, width) tensor right-padded with zeros.</summary>
        public Tensor ToPaddedTensor(List<int> steps, int maxSteps, int width, Device device)
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
