using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>One window as read through a cursor.</summary>
internal sealed record WindowRow(ulong Id, float[] Features, float[] Label, long? Start, string? Timestamp, string? ForecastTimestamp);

/// <summary>Reads windows through the public IDataView surface, as any ML.NET consumer would.</summary>
internal static class WindowReader
{
    /// <summary>Every window, with the optional columns that the view has under the given names.</summary>
    public static List<WindowRow> ReadAll(IDataView windows, Random? shuffle = null,
        string startColumn = "Start", string timestampColumn = "Time", string forecastColumn = "ForecastTime")
    {
        DataViewSchema schema = windows.Schema;
        using DataViewRowCursor cursor = windows.GetRowCursor(schema, shuffle);
        var features = cursor.GetGetter<VBuffer<float>>(schema["Features"]);
        var label = cursor.GetGetter<VBuffer<float>>(schema["Label"]);
        var start = schema.GetColumnOrNull(startColumn) is DataViewSchema.Column s ? cursor.GetGetter<long>(s) : null;
        var time = schema.GetColumnOrNull(timestampColumn) is DataViewSchema.Column t ? cursor.GetGetter<ReadOnlyMemory<char>>(t) : null;
        var forecast = schema.GetColumnOrNull(forecastColumn) is DataViewSchema.Column f ? cursor.GetGetter<ReadOnlyMemory<char>>(f) : null;
        var id = cursor.GetIdGetter();
        VBuffer<float> featureBuffer = default, labelBuffer = default;
        var rows = new List<WindowRow>();
        while (cursor.MoveNext())
        {
            features(ref featureBuffer);
            label(ref labelBuffer);
            DataViewRowId rowId = default;
            id(ref rowId);
            long startRow = 0;
            start?.Invoke(ref startRow);
            ReadOnlyMemory<char> timeText = default, forecastText = default;
            time?.Invoke(ref timeText);
            forecast?.Invoke(ref forecastText);
            rows.Add(new WindowRow(rowId.Low, featureBuffer.DenseValues().ToArray(), labelBuffer.DenseValues().ToArray(),
                start is null ? null : startRow, time is null ? null : timeText.ToString(), forecast is null ? null : forecastText.ToString()));
        }
        return rows;
    }
}
