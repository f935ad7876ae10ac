using System;
using System.Collections.Generic;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// One OpenMP setting the loaded-machine figure compares, as the environment of a child process:
/// "libgomp" (nothing set, the library's bound switched off: libgomp's own 300,000-round spin), "library" (nothing
/// set: what a user gets by default), "passive" (OMP_WAIT_POLICY=PASSIVE), "spin=N" (GOMP_SPINCOUNT=N), and
/// "threads=N" added to any of them with '+' (OMP_NUM_THREADS=N), e.g. "library+threads=1".
/// </summary>
internal sealed record OpenMpPolicyUnderTest(string Name)
{
    public const string LibgompDefault = "libgomp";
    public const string LibraryDefault = "library";

    /// <summary>The policy part the child acts on ("libgomp" switches the library's bound off).</summary>
    public string ChildPolicy => Name.Split('+')[0];

    /// <summary>Variables to set in the child's environment; every OpenMP variable not listed is removed.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>();
        foreach (string part in Name.Split('+'))
        {
            if (part is LibgompDefault or LibraryDefault)
                continue;
            if (part == "passive")
                variables["OMP_WAIT_POLICY"] = "PASSIVE";
            else if (part.StartsWith("spin=", StringComparison.Ordinal))
                variables["GOMP_SPINCOUNT"] = long.Parse(part["spin=".Length..]).ToString();
            else if (part.StartsWith("threads=", StringComparison.Ordinal))
                variables["OMP_NUM_THREADS"] = int.Parse(part["threads=".Length..]).ToString();
            else
                throw new ArgumentException($"Unknown OpenMP policy part '{part}' in '{Name}' (libgomp, library, passive, spin=N, threads=N).");
        }
        return variables;
    }

    public static readonly string[] OpenMpVariables = { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS" };
}
