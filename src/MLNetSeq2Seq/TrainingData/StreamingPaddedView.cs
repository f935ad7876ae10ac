using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// A data view's columns plus one column of zeros that nothing reads (<see cref="ColumnName"/>), written only to make
/// ML.NET's BinarySaver cut smaller blocks: the saver fills a block up to a byte budget shared by all columns, and the
/// loader keeps about a dozen blocks in flight per column a cursor reads. A wide unread column shrinks the blocks of
/// the columns that are read; its zeros compress to almost nothing.
/// </summary>
internal sealed class StreamingPaddedView : IDataView
{
    /// <summary>The padding column's name.</summary>
    public const string ColumnName = "MLNetSeq2Seq.StreamingPadding";

    // ML.NET 5.0's BinarySaver defaults (not settable through the public API): a block ends at 80 MiB over all
    // columns or at 8,192 rows, whichever comes first.
    internal const long SaverBlockBytes = 80L << 20;
    internal const int SaverBlockRows = 1 << 13;

    private readonly IDataView _source;
    private readonly int _sourceColumns;

    /// <summary>Wraps <paramref name="source"/> with <paramref name="paddingFloats"/> zeros per row (at least 1).</summary>
    public StreamingPaddedView(IDataView source, int paddingFloats)
    {
        _source = source;
        PaddingFloats = paddingFloats;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema.Where(c => !c.IsHidden).Select(c => new DataViewSchema.DetachedColumn(c)));
        if (source.Schema.GetColumnOrNull(ColumnName) is not null)
            throw new ArgumentException($"The data already has a column '{ColumnName}'.", nameof(source));
        builder.AddColumn(ColumnName, new VectorDataViewType(NumberDataViewType.Single, paddingFloats));
        Schema = builder.ToSchema();
        _sourceColumns = Schema.Count - 1;
    }

    public int PaddingFloats { get; }

    /// <summary>Zero floats per row that make the blocks of a row's <paramref name="rowBytes"/> hold at most
    /// <paramref name="blockBytes"/> of them; 0 when the saver's row limit already does.</summary>
    public static int PaddingFor(long rowBytes, long blockBytes)
    {
        long rowsPerBlock = Math.Max(1, blockBytes / Math.Max(1, rowBytes));
        if (rowsPerBlock >= SaverBlockRows)
            return 0;
        long wideRow = SaverBlockBytes / rowsPerBlock + 1;
        long padding = (wideRow - rowBytes + sizeof(float) - 1) / sizeof(float);
        if (padding > Array.MaxLength / 2)
            throw new ArgumentOutOfRangeException(nameof(blockBytes), blockBytes, $"Blocks of {blockBytes} bytes of {rowBytes}-byte rows need {padding} padding floats per row; ask for larger blocks.");
        return (int)Math.Max(0, padding);
    }

    /// <summary>Bytes of one row's fixed-size columns as values (text and variable-size vectors count 0).</summary>
    public static long RowBytes(DataViewSchema schema)
    {
        long bytes = 0;
        foreach (DataViewSchema.Column column in schema.Where(c => !c.IsHidden))
        {
            DataViewType item = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
            long count = column.Type is VectorDataViewType v ? v.Size : 1;
            bytes += count * ItemBytes(item.RawType);
        }
        return bytes;
    }

    private static int ItemBytes(Type raw) => raw == typeof(float) || raw == typeof(int) || raw == typeof(uint) ? 4
        : raw == typeof(double) || raw == typeof(long) || raw == typeof(ulong) || raw == typeof(DateTime) || raw == typeof(TimeSpan) ? 8
        : raw == typeof(DateTimeOffset) ? 10
        : raw == typeof(short) || raw == typeof(ushort) ? 2
        : raw == typeof(byte) || raw == typeof(sbyte) || raw == typeof(bool) ? 1
        : 0;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var sourceNeeded = needed.Where(c => c.Index < _sourceColumns).Select(c => _source.Schema[c.Name]).ToArray();
        return new Cursor(this, _source.GetRowCursor(sourceNeeded), needed.Any(c => c.Index == _sourceColumns));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly StreamingPaddedView _view;
        private readonly DataViewRowCursor _input;
        private readonly bool _paddingActive;

        public Cursor(StreamingPaddedView view, DataViewRowCursor input, bool paddingActive)
        {
            _view = view;
            _input = input;
            _paddingActive = paddingActive;
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _view._sourceColumns ? _paddingActive : _input.IsColumnActive(_input.Schema[column.Name]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _view._sourceColumns)
                return _input.GetGetter<TValue>(_input.Schema[column.Name]);
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{ColumnName}' holds VBuffer<float>, not {typeof(TValue).Name}.");
            int size = _view.PaddingFloats;
            ValueGetter<VBuffer<float>> zeros = (ref VBuffer<float> value) =>
            {
                // Dense zeros: the saver budgets a block by the bytes it writes, so a sparse empty vector would not widen the row.
                var editor = VBufferEditor.Create(ref value, size);
                editor.Values.Clear();
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)zeros;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool MoveNext() => _input.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
