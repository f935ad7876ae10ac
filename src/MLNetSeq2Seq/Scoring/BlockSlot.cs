using System;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Which row of the current block a <see cref="SequenceScoringCursor"/> stands on, shared with its column caches
/// so that every getter reads the same row.
/// </summary>
internal sealed class BlockSlot
{
    /// <summary>The row of the block the cursor is on; -1 before the first row and after the last.</summary>
    public int Current { get; set; } = -1;

    /// <summary>The current slot, or an exception when the cursor is not on a row.</summary>
    /// <exception cref="InvalidOperationException">The cursor has not moved yet, or has passed the last row.</exception>
    public int Checked()
    {
        int slot = Current;
        if (slot < 0)
            throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read no values after it returns false.");
        return slot;
    }
}
