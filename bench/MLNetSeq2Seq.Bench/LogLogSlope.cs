using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq.Bench;

/// <summary>Least-squares slope of log(time) against log(size): the exponent k in time ∝ size^k.</summary>
internal static class LogLogSlope
{
    public static double Fit(IReadOnlyList<(double Size, double Seconds)> points)
    {
        if (points.Count < 2)
            return double.NaN;
        double[] x = points.Select(p => Math.Log(p.Size)).ToArray(), y = points.Select(p => Math.Log(p.Seconds)).ToArray();
        double mx = x.Average(), my = y.Average();
        double sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum(), sxx = x.Sum(a => (a - mx) * (a - mx));
        return sxy / sxx;
    }
}
