using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq;
using MLNetSeq2Seq.Plots;

namespace Forecasting;

/// <summary>The example's last step: the hours after the last row of the CSV with their 80 % interval, in its units,
/// written as CSV (each column, then its lower and upper bound) and plotted (history, forecast, band).</summary>
public static class FutureForecast
{
    public static void Run(MLContext ml, Seq2SeqTransformer model, IDataView series, string output)
    {
        Seq2SeqForecastEngine engine = model.CreateForecastEngine(ml, series, timestampColumnName: "Date");
        Seq2SeqForecast forecast = engine.Predict();
        int horizon = forecast.Horizon;
        string csv = Path.Combine(output, $"future-{horizon}h.csv");
        var bounds = forecast.ColumnNames.ToDictionary(c => c, c => forecast.Bounds(c, 0.1, 0.9));
        var text = new StringBuilder("date," + string.Join(",", forecast.ColumnNames.Select(c => $"{c},{c}_lower80,{c}_upper80")) + "\n");
        static string F(float v) => v.ToString("F3", CultureInfo.InvariantCulture);
        for (int h = 0; h < horizon; h++)
            text.Append(forecast.Timestamps![h].ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                .Append(string.Join(",", forecast.ColumnNames.Select(c => $"{F(forecast[h, c])},{F(bounds[c].Lower[h])},{F(bounds[c].Upper[h])}"))).Append('\n');
        File.WriteAllText(csv, text.ToString());

        // History: the last week of OT as read from the CSV (raw units), then the forecast.
        string[] dates = series.GetColumn<string>("Date").ToArray();
        float[] ot = series.GetColumn<float>("OT").ToArray();
        int shown = Math.Min(7 * 24, ot.Length);
        DateTime[] historyTimes = dates[^shown..].Select(d => DateTime.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        string png = Path.Combine(output, $"future-{horizon}h.png");
        forecast.SavePlot(png, "OT", ot[^shown..], historyTimes, lowerLevel: 0.1, upperLevel: 0.9, title: $"OT: the {horizon} hours after the data, with the 80 % interval calibrated on validation");
        Console.WriteLine($"forecast after the last row ({engine.LastTimestamp:yyyy-MM-dd HH:mm}): {forecast.Timestamps![0]:yyyy-MM-dd HH:mm} to "
            + $"{forecast.Timestamps[^1]:yyyy-MM-dd HH:mm}, OT {forecast.Column("OT").Min():F2} to {forecast.Column("OT").Max():F2} (80 % band {bounds["OT"].Lower.Min():F2} to "
            + $"{bounds["OT"].Upper.Max():F2}; last observed {ot[^1]:F2}); {csv}, {png}");
    }
}
