using System;
using System.Globalization;

namespace MLNetSeq2Seq.GpuCheck;

/// <summary>Command-line settings of the check.</summary>
internal sealed class CheckArguments
{
    public const string Usage = """
        GpuCheck --libtorch FOLDER [--device cuda|cpu] [--out FILE] [--quick]
          --libtorch FOLDER  where libtorch.so (and, for CUDA, libtorch_cuda.so) are, e.g. PyTorch's torch/lib
          --device           cuda (default) or cpu (the same checks on the CPU; device-only ones are skipped)
          --out FILE         the JSON report (default gpu-check.json)
          --quick            small sizes (CI)
        """;

    public string LibTorchFolder { get; private set; } = "";
    public string Device { get; private set; } = "cuda";
    public string OutputPath { get; private set; } = "gpu-check.json";
    public bool Quick { get; private set; }

    public bool UsesCuda => Device == "cuda";

    public static CheckArguments Parse(string[] args)
    {
        var result = new CheckArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--libtorch": result.LibTorchFolder = Value(); break;
                case "--device": result.Device = Value().ToLower(CultureInfo.InvariantCulture); break;
                case "--out": result.OutputPath = Value(); break;
                case "--quick": result.Quick = true; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        if (result.LibTorchFolder.Length == 0)
            throw new ArgumentException("--libtorch is required: the folder that holds libtorch.so.");
        if (result.Device is not ("cuda" or "cpu"))
            throw new ArgumentException($"--device must be cuda or cpu, not '{result.Device}'.");
        return result;
    }
}
