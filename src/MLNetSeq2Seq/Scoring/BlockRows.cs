using System;

namespace MLNetSeq2Seq.Scoring;

/// <summary>Per-row buffers of a scoring block that grow with the rows that arrive (doubling, from room for
/// <see cref="InitialRows"/> rows, at most the block's capacity), so that a large inference batch size costs memory only
/// when that many rows come.</summary>
internal static class BlockRows
{
    /// <summary>Rows the buffers first make room for (fewer when the capacity is smaller).</summary>
    public const int InitialRows = 1024;

    /// <summary>Room for at least <paramref name="rows"/> rows: InitialRows, doubled until it is enough, at most
    /// <paramref name="capacity"/>.</summary>
    public static int Room(int rows, int capacity)
    {
        long room = Math.Min(capacity, InitialRows);
        while (room < rows)
            room *= 2;
        return (int)Math.Min(room, capacity);
    }

    /// <summary>Grows <paramref name="buffer"/>, keeping its values, so that it holds row <paramref name="slot"/>.</summary>
    public static void EnsureSlot<T>(ref T[] buffer, int slot, int capacity)
    {
        if (slot >= buffer.Length)
            Array.Resize(ref buffer, Room(slot + 1, capacity));
    }
}
