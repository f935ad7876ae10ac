using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;

namespace Forecasting;

/// <summary>The example's last step: the hours after the last row of the CSV, in its units, written as CSV and plotted.</summary>
public static class FutureForecast
{
    public static void Run(MLContext ml, Seq2SeqTransformer model, IDataView series, string output)
    {
        Seq2SeqForecastEngine engine = model.CreateForecastEngine(ml, series, timestampColumnName: "Date");
        Seq2SeqForecast forecast = engine.Predict();
        int horizon = forecast.Horizon;
        string csv = Path.Combine(output, $"future-{horizon}h.csv");
        var text = new StringBuilder("date," + string.Join(",", forecast.ColumnNames) + "\n");
        for (int h = 0; h < horizon; h++)
            text.Append(forecast.Timestamps![h].ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                .Append(string.Join(",", forecast.ColumnNames.Select(c => forecast[h, c].ToString("F3", CultureInfo.InvariantCulture)))).Append('\n');
        File.WriteAllText(csv, text.ToString());

        // History: the last week of OT as read from the CSV (raw units), then the forecast.
        string[] dates = series.GetColumn<string>("Date").ToArray();
        float[] ot = series.GetColumn<float>("OT").ToArray();
        int shown = Math.Min(7 * 24, ot.Length);
        DateTime[] historyTimes = dates[^shown..].Select(d => DateTime.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        string png = Path.Combine(output, $"future-{horizon}h.png");
        Plots.Future(historyTimes, ot[^shown..], forecast.Timestamps!.ToArray(), forecast.Column("OT"), "OT", png);
        Console.WriteLine($"forecast after the last row ({engine.LastTimestamp:yyyy-MM-dd HH:mm}): {forecast.Timestamps![0]:yyyy-MM-dd HH:mm} to "
            + $"{forecast.Timestamps[^1]:yyyy-MM-dd HH:mm}, OT {forecast.Column("OT").Min():F2} to {forecast.Column("OT").Max():F2} (last observed {ot[^1]:F2}); {csv}, {png}");
    }
}
