using System.IO;

namespace Deploy;

/// <summary>Where the ETTh2 file is: ../shared/data beside the repository (read there, never copied; CC BY-ND).</summary>
internal static class DataFiles
{
    /// <summary>The path of ../shared/data/ETTh2.csv seen from the repository root (found by walking up from the
    /// current folder to MLNetSeq2Seq.sln), or null when the checkout has none.</summary>
    public static string? FindEtth2()
    {
        for (DirectoryInfo? folder = new(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(Path.Combine(folder.FullName, "MLNetSeq2Seq.sln")))
                continue;
            string path = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data", "ETTh2.csv"));
            return File.Exists(path) ? path : null;
        }
        return null;
    }
}
