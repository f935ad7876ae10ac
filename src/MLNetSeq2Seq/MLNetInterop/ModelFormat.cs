using System;
using Microsoft.ML;

namespace MLNetSeq2Seq.MLNetInterop;

/// <summary>
/// The identity and version of one component's binary model format: what ML.NET writes into the model header and
/// checks on load. Versions follow ML.NET's convention 0x00MMmmmm; keep each version's change in a comment at the
/// component's format declaration.
/// </summary>
internal sealed class ModelFormat
{
    public ModelFormat(string modelSignature, string loaderSignature, uint currentVersion, uint oldestReadableVersion, Type componentType)
    {
        if (modelSignature is null || modelSignature.Length != 8)
            throw new ArgumentException("An ML.NET model signature has exactly 8 characters.", nameof(modelSignature));
        if (string.IsNullOrEmpty(loaderSignature) || loaderSignature.Length > 24)
            throw new ArgumentException("An ML.NET loader signature has 1 to 24 characters.", nameof(loaderSignature));
        if (oldestReadableVersion > currentVersion)
            throw new ArgumentException("The oldest readable version cannot be newer than the current one.", nameof(oldestReadableVersion));
        ModelSignature = modelSignature;
        LoaderSignature = loaderSignature;
        CurrentVersion = currentVersion;
        OldestReadableVersion = oldestReadableVersion;
        ComponentType = componentType;
    }

    /// <summary>Eight characters that identify the component's binary format in the model header.</summary>
    public string ModelSignature { get; }

    /// <summary>The name ML.NET's component catalog finds the loader under (the LoadableClass signature).</summary>
    public string LoaderSignature { get; }

    /// <summary>The version this code writes.</summary>
    public uint CurrentVersion { get; }

    /// <summary>The oldest version this code still reads.</summary>
    public uint OldestReadableVersion { get; }

    /// <summary>The component type; its assembly is recorded so ML.NET loads it by itself in a fresh process.</summary>
    public Type ComponentType { get; }

    internal VersionInfo ToVersionInfo() => new(
        modelSignature: ModelSignature,
        verWrittenCur: CurrentVersion,
        // Files written now need this code's version to be read (older code refuses them with a clear message);
        // files back to OldestReadableVersion are still read.
        verReadableCur: CurrentVersion,
        verWeCanReadBack: OldestReadableVersion,
        loaderAssemblyName: ComponentType.Assembly.FullName,
        loaderSignature: LoaderSignature);
}
