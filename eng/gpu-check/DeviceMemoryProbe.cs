using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace MLNetSeq2Seq.GpuCheck;

/// <summary>
/// Peak device memory while the check runs, from nvidia-smi every 200 ms (TorchSharp 0.107 has no CUDA memory
/// statistics). It reads the whole GPU's used memory, so run the check alone on the GPU.
/// </summary>
internal sealed class DeviceMemoryProbe : IDisposable
{
    private readonly Thread? _thread;
    private volatile bool _stop;
    private double _peak = double.NaN;

    private DeviceMemoryProbe(bool enabled)
    {
        if (!enabled)
        {
            Description = "not measured: CPU mode";
            return;
        }
        if (Read() is null)
        {
            Description = "not measured: nvidia-smi did not answer";
            return;
        }
        Description = "nvidia-smi --query-gpu=memory.used (whole GPU), every 200 ms";
        _thread = new Thread(Poll) { IsBackground = true, Name = "device-memory-probe" };
        _thread.Start();
    }

    public string Description { get; }

    public double? PeakMiB => double.IsNaN(_peak) ? null : _peak;

    public static DeviceMemoryProbe Start(bool cuda) => new(cuda);

    private void Poll()
    {
        while (!_stop)
        {
            if (Read() is double used && (double.IsNaN(_peak) || used > _peak))
                _peak = used;
            Thread.Sleep(200);
        }
    }

    private static double? Read()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=memory.used --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
                return null;
            string text = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            string first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(2000);
    }
}
