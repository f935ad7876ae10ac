using System;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Scoring;

/// <summary>Writes one row's score into a caller's VBuffer, reusing its arrays when they are large enough.</summary>
internal static class ScoreWriter
{
    /// <summary>Makes <paramref name="destination"/> a dense vector holding <paramref name="score"/>.</summary>
    public static void Write(ReadOnlySpan<float> score, ref VBuffer<float> destination)
    {
        var editor = VBufferEditor.Create(ref destination, score.Length);
        score.CopyTo(editor.Values);
        destination = editor.Commit();
    }
}
