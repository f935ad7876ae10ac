using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>One row as read through a cursor; columns that were not read stay null.</summary>
internal sealed record ReadRow(long Position, ulong Id, float[]? Score, float[]? Features, float? Weight, string? Name, float[]? Extra, bool? Flag, uint? Category);

/// <summary>Reads a cursor to its end through the getters of the named columns (a getter is made once and reused).</summary>
internal static class CursorReader
{
    public static List<ReadRow> ReadAll(DataViewRowCursor cursor, IReadOnlyCollection<string> columns)
    {
        var score = VectorGetter(cursor, columns, ScoringTestTransformer.ScoreColumnName);
        var features = VectorGetter(cursor, columns, nameof(SequenceRow.Features));
        var extra = VectorGetter(cursor, columns, nameof(SequenceRow.Extra));
        var weight = Getter<float>(cursor, columns, nameof(SequenceRow.Weight));
        var name = Getter<System.ReadOnlyMemory<char>>(cursor, columns, nameof(SequenceRow.Name));
        var flag = Getter<bool>(cursor, columns, nameof(SequenceRow.Flag));
        var category = Getter<uint>(cursor, columns, nameof(SequenceRow.Category));
        var id = cursor.GetIdGetter();
        var rows = new List<ReadRow>();
        while (cursor.MoveNext())
        {
            DataViewRowId rowId = default;
            id(ref rowId);
            rows.Add(new ReadRow(cursor.Position, rowId.Low, score?.Invoke(), features?.Invoke(), weight?.Invoke(),
                name?.Invoke().ToString(), extra?.Invoke(), flag?.Invoke(), category?.Invoke()));
        }
        return rows;
    }

    public static List<ReadRow> ReadAll(IDataView view, params string[] columns)
    {
        using var cursor = view.GetRowCursor(columns.Select(c => view.Schema[c]));
        return ReadAll(cursor, columns);
    }

    private static System.Func<T>? Getter<T>(DataViewRow row, IReadOnlyCollection<string> columns, string name)
    {
        if (!columns.Contains(name))
            return null;
        var getter = row.GetGetter<T>(row.Schema[name]);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value;
        };
    }

    // One buffer per column, reused for every row, as ML.NET's consumers do.
    private static System.Func<float[]>? VectorGetter(DataViewRow row, IReadOnlyCollection<string> columns, string name)
    {
        if (!columns.Contains(name))
            return null;
        var getter = row.GetGetter<VBuffer<float>>(row.Schema[name]);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            return buffer.DenseValues().ToArray();
        };
    }
}
