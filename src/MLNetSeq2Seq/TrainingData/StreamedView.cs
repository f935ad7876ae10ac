using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// An IDataView read through cursors on every pass instead of once into memory (streaming Fit). <see cref="Scan"/>
/// makes a first pass that checks every row as the in-memory reader would (lengths, finite values), counts the rows
/// kept, remembers which were dropped and hashes sampled rows for the run identity; <see cref="OpenReader"/> then
/// reads any range of kept rows again, in data order, one row at a time. A pass that ended at the end of its range can
/// be parked (<see cref="Park"/>), and a later range that starts at or after that place continues its cursor instead
/// of reading the data from the start again: the held-out rows of ValidationFraction after a training epoch.
/// </summary>
internal sealed class StreamedView : IDisposable
{
    private StreamedRowReader? _parked;
    private readonly IDataView _data;
    private readonly string _featureColumnName;
    private readonly string _labelColumnName;
    private readonly NonFiniteRowHandling _nonFiniteRows;
    private readonly long[] _droppedRows; // data row numbers, ascending

    private StreamedView(IDataView data, string featureColumnName, string labelColumnName, SequenceShapes shapes, string dataName,
        NonFiniteRowHandling nonFiniteRows, long keptRows, long[] droppedRows, byte[] fingerprint)
    {
        _data = data;
        _featureColumnName = featureColumnName;
        _labelColumnName = labelColumnName;
        Shapes = shapes;
        DataName = dataName;
        _nonFiniteRows = nonFiniteRows;
        KeptRows = keptRows;
        _droppedRows = droppedRows;
        Fingerprint = fingerprint;
    }

    public SequenceShapes Shapes { get; }

    public string DataName { get; }

    /// <summary>Input steps per row (L); streaming needs a fixed-size feature column.</summary>
    public int InputLength => Shapes.InputLength ?? throw new InvalidOperationException("Streaming needs a fixed input length.");

    /// <summary>Rows left after dropping non-finite ones (NonFiniteRows = Skip).</summary>
    public long KeptRows { get; }

    /// <summary>SHA-256 over the kept row count, shapes, and about <see cref="RowFingerprint.SampledRows"/> sampled rows.</summary>
    public byte[] Fingerprint { get; }

    /// <summary>The first pass: checks every row (errors name the row), counts the kept ones, and logs dropped ones on <paramref name="host"/>.</summary>
    public static StreamedView Scan(IDataView data, string featureColumnName, string labelColumnName, SequenceShapes shapes, string dataName,
        NonFiniteRowHandling nonFiniteRows, MLNetHost? host)
    {
        if (shapes.InputLength is null || ((VectorDataViewType)data.Schema[labelColumnName].Type).Size == 0)
            throw new ArgumentException($"{dataName}: {nameof(Seq2SeqOptions.Streaming)} streams fixed-size rows, but "
                + (shapes.InputLength is null ? $"feature column '{featureColumnName}'" : $"label column '{labelColumnName}'")
                + " has a variable size. Give the column a fixed size (every row the same length), or train in memory (Streaming = null).",
                nameof(Seq2SeqOptions.Streaming));
        // Rows to hash: evenly spaced when the view knows its row count, otherwise the first ones.
        long[] sampled = RowFingerprint.SampleRows(data.GetRowCount() ?? RowFingerprint.SampledRows);
        var sample = new HashSet<long>(sampled);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var dropped = new List<long>();
        long row = 0;
        var view = new StreamedView(data, featureColumnName, labelColumnName, shapes, dataName, nonFiniteRows, 0, Array.Empty<long>(), Array.Empty<byte>());
        using (DataViewRowCursor cursor = view.Cursor(out var getFeatures, out var getLabels))
        {
            VBuffer<float> features = default, labels = default;
            for (; cursor.MoveNext(); row++)
            {
                getFeatures(ref features);
                getLabels(ref labels);
                if (!SequenceDataReader.AcceptRow(features, labels, featureColumnName, labelColumnName, shapes, labelLengthVaries: false, row, dataName, nonFiniteRows))
                {
                    dropped.Add(row);
                    continue;
                }
                if (sample.Contains(row))
                {
                    hash.AppendData(BitConverter.GetBytes(row));
                    hash.AppendData(MemoryMarshal.AsBytes(features.DenseValues().ToArray().AsSpan()));
                    hash.AppendData(MemoryMarshal.AsBytes(labels.DenseValues().ToArray().AsSpan()));
                }
            }
        }
        if (row == 0)
            throw new InvalidOperationException($"{dataName} has no rows; Fit needs at least one sequence there (check the loader or filter that produced it).");
        if (dropped.Count > 0)
        {
            string what = $"{dataName}: NonFiniteRows = Skip dropped {dropped.Count} of {row} rows holding NaN or infinite values in '{featureColumnName}' or '{labelColumnName}' (the first is row {dropped[0]})";
            if (dropped.Count == row)
                throw new InvalidOperationException(what + "; no row is left. Impute or remove the non-finite values before Fit.");
            host?.Warning("Seq2Seq: " + what + ".");
        }
        long kept = row - dropped.Count;
        if (kept > int.MaxValue)
            throw new InvalidOperationException($"{dataName} holds {kept} rows; Fit trains on at most {int.MaxValue} rows per epoch. Split the data.");
        foreach (long value in new long[] { kept, shapes.InputLength.Value, shapes.InputFeatureCount, shapes.Horizon, shapes.OutputFeatureCount })
            hash.AppendData(BitConverter.GetBytes(value));
        return new StreamedView(data, featureColumnName, labelColumnName, shapes, dataName, nonFiniteRows, kept, dropped.ToArray(), hash.GetHashAndReset());
    }

    /// <summary>A reader over kept rows [<paramref name="firstKept"/>, <paramref name="firstKept"/> + <paramref name="count"/>), in data order.</summary>
    public StreamedRowReader OpenReader(long firstKept, int count)
    {
        // The data row of the first kept row: every dropped row at or before it pushes it one further.
        long start = firstKept;
        foreach (long dropped in _droppedRows)
        {
            if (dropped > start)
                break;
            start++;
        }
        StreamedRowReader? parked = _parked;
        _parked = null;
        if (parked is not null && parked.Position < start)
            return parked.Continue(start, count);
        parked?.Dispose();
        DataViewRowCursor cursor = Cursor(out var getFeatures, out var getLabels);
        return new StreamedRowReader(cursor, getFeatures, getLabels, start, count, this);
    }

    /// <summary>Keeps a reader that has read its whole range, for a later range further on; the view owns it from here.</summary>
    public void Park(StreamedRowReader reader)
    {
        _parked?.Dispose();
        _parked = reader;
    }

    public void Dispose()
    {
        _parked?.Dispose();
        _parked = null;
    }

    /// <summary>Checks a row read again on a later pass, as <see cref="Scan"/> did.</summary>
    internal bool Accept(in VBuffer<float> features, in VBuffer<float> labels, long row) =>
        SequenceDataReader.AcceptRow(features, labels, _featureColumnName, _labelColumnName, Shapes, labelLengthVaries: false, row, DataName, _nonFiniteRows);

    private DataViewRowCursor Cursor(out ValueGetter<VBuffer<float>> getFeatures, out ValueGetter<VBuffer<float>> getLabels)
    {
        DataViewSchema.Column feature = _data.Schema[_featureColumnName], label = _data.Schema[_labelColumnName];
        DataViewRowCursor cursor = _data.GetRowCursor(new[] { feature, label });
        getFeatures = cursor.GetGetter<VBuffer<float>>(feature);
        getLabels = cursor.GetGetter<VBuffer<float>>(label);
        return cursor;
    }
}
