using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Calendar features derived from a window view's timestamp column for each forecast step
/// (<see cref="SequenceWindowOptions.CalendarFeatures"/>): known in advance, fed to the decoder with the step they
/// describe. Combine with |. The values, in this order (the order of the flags):
/// </summary>
/// <remarks>
/// HourOfDay: sin and cos of 2π·h/24, h = hour + minute/60 + second/3600. DayOfWeek: sin and cos of 2π·d/7, d = 0 for
/// Sunday … 6 for Saturday. DayOfYear: sin and cos of 2π·(day of year − 1)/(days in that year). Month: (month − 1)/11 − 0.5,
/// in [−0.5, 0.5]. Holiday: 1 when the step's date is in <see cref="SequenceWindowOptions.Holidays"/>, else 0.
/// </remarks>
[Flags]
public enum CalendarFeatures
{
    /// <summary>No calendar features (default).</summary>
    None = 0,

    /// <summary>Hour of day as a sin/cos pair (2 values).</summary>
    HourOfDay = 1,

    /// <summary>Day of week as a sin/cos pair (2 values).</summary>
    DayOfWeek = 2,

    /// <summary>Day of year as a sin/cos pair (2 values).</summary>
    DayOfYear = 4,

    /// <summary>Month of year scaled to [−0.5, 0.5] (1 value).</summary>
    Month = 8,

    /// <summary>1 on the dates of <see cref="SequenceWindowOptions.Holidays"/>, 0 elsewhere (1 value).</summary>
    Holiday = 16,

    /// <summary>Every feature above but Holiday.</summary>
    All = HourOfDay | DayOfWeek | DayOfYear | Month,
}
