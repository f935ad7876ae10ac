using System.Reflection;
using System.Runtime.CompilerServices;

namespace MLNetSeq2Seq.Tests;

/// <summary>
/// In the test host, loads libtorch through <see cref="TorchRuntime.EnsureLoaded"/> before any test runs. Many tests use
/// TorchSharp directly, and whichever ran first used to decide how oneDNN ran for the whole run: the AVX2 cap, or (since
/// a libtorch loaded ahead of the library is not trusted with the cap) oneDNN switched off. Both score an LSTM correctly,
/// but not bit for bit alike, and the fresh-process tests compare scores exactly with a child that always starts with
/// the cap. Child processes (this assembly as the entry point) start bare, as each of their commands needs.
/// </summary>
internal static class TorchRuntimeFirst
{
    [ModuleInitializer]
    internal static void LoadBeforeAnyTest()
    {
        if (Assembly.GetEntryAssembly() != typeof(TorchRuntimeFirst).Assembly)
            TorchRuntime.EnsureLoaded();
    }
}
