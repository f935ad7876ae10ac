using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Data;

public sealed class SequenceScoringCursorSetTests
{
    private const int RowCount = 1000;
    private readonly MLContext _ml = new(seed: 1);
    private readonly CountingSequenceScorer _scorer = new(inputFeatureCount: 3, horizon: 4, outputFeatureCount: 2);
    private readonly SequenceRow[] _rows = SequenceRow.Create(RowCount);

    [Fact]
    public async Task A_cursor_set_over_a_splitting_input_gives_the_same_rows_and_scores_as_one_cursor()
    {
        // ML.NET's cache splits into parallel cursors (blocks of 64 rows dealt out in turn); LoadFromEnumerable does not.
        IDataView scored = new ScoringTestTransformer(_scorer, inferenceBatchSize: 8).Transform(_ml.Data.Cache(_ml.Data.LoadFromEnumerable(_rows)));
        string[] columns = { "Score", nameof(SequenceRow.Name), nameof(SequenceRow.Extra) };
        List<ReadRow> single = CursorReader.ReadAll(scored, columns);

        DataViewRowCursor[] cursors = scored.GetRowCursorSet(columns.Select(c => scored.Schema[c]), n: 4);
        Assert.Equal(4, cursors.Length);
        List<ReadRow>[] parts = await Task.WhenAll(cursors.Select(cursor => Task.Run(() =>
        {
            using (cursor)
                return CursorReader.ReadAll(cursor, columns);
        })));

        Assert.All(parts, part => Assert.NotEmpty(part));
        Assert.All(parts, part => Assert.Equal(Enumerable.Range(0, part.Count).Select(i => (long)i), part.Select(r => r.Position)));
        Assert.Equal(Describe(single), Describe(parts.SelectMany(p => p)));
        for (int i = 0; i < RowCount; i++)
        {
            Assert.Equal((ulong)i, single[i].Id);
            Assert.Equal(_scorer.Expected(_rows[i].Features), single[i].Score);
        }
        // Each of the five cursors scored its own rows in blocks of at most 8.
        Assert.All(_scorer.Calls, call => Assert.InRange(call.RowCount, 1, 8));
        Assert.Equal(2 * RowCount, _scorer.Calls.Sum(call => call.RowCount));
    }

    [Fact]
    public void A_cursor_set_over_an_input_that_does_not_split_is_one_cursor_over_every_row()
    {
        IDataView scored = new ScoringTestTransformer(_scorer, inferenceBatchSize: 8).Transform(_ml.Data.LoadFromEnumerable(_rows));
        DataViewRowCursor[] cursors = scored.GetRowCursorSet(new[] { scored.Schema["Score"] }, n: 4);

        DataViewRowCursor cursor = Assert.Single(cursors);
        using (cursor)
            Assert.Equal(RowCount, CursorReader.ReadAll(cursor, new[] { "Score" }).Count);
    }

    [Fact]
    public void ML_NET_consolidating_our_parallel_cursors_keeps_the_input_order()
    {
        // A downstream ML.NET transform asks its source for a cursor set and merges it back in batch order: that only
        // works when each of our cursors reports the batch its input had on each row. Blocks of 10 rows straddle the
        // cache's 64-row batches, so the batch must be remembered per row, not read from the input, which is ahead.
        IDataView scored = new ScoringTestTransformer(_scorer, inferenceBatchSize: 10).Transform(_ml.Data.Cache(_ml.Data.LoadFromEnumerable(_rows)));
        IDataView copied = _ml.Transforms.CopyColumns("ScoreCopy", "Score").Fit(scored).Transform(scored);

        float[][] scores = copied.GetColumn<float[]>("ScoreCopy").ToArray();
        string[] names = copied.GetColumn<string>(nameof(SequenceRow.Name)).ToArray();

        Assert.Equal(_rows.Select(r => r.Name), names);
        for (int i = 0; i < RowCount; i++)
            Assert.Equal(_scorer.Expected(_rows[i].Features), scores[i]);
        Assert.True(_scorer.ThreadCount > 1, "ML.NET did not score on parallel cursors: the test proves nothing.");
    }

    private static IEnumerable<string> Describe(IEnumerable<ReadRow> rows) =>
        rows.Select(r => $"{r.Id}|{r.Name}|{string.Join(",", r.Extra!)}|{string.Join(",", r.Score!)}").OrderBy(s => s, System.StringComparer.Ordinal);
}
