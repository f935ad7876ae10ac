using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// Reads the DT_NEEDED entries of an ELF64 little-endian shared library: the libraries the dynamic loader loads with
/// it. Reads only the headers, the dynamic section and its string table, so a 460 MB libtorch_cpu.so costs little.
/// </summary>
internal static class ElfNeededLibraries
{
    private const uint ShtDynamic = 6;
    private const long DtNull = 0, DtNeeded = 1;

    public static IReadOnlyList<string> Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        byte[] header = ReadAt(file, 0, 64);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F' || header[4] != 2 || header[5] != 1)
            throw new InvalidDataException($"{path} is not an ELF64 little-endian file.");
        long sectionTable = BitConverter.ToInt64(header, 0x28);
        int sectionEntrySize = BitConverter.ToUInt16(header, 0x3A);
        int sectionCount = BitConverter.ToUInt16(header, 0x3C);
        byte[] sections = ReadAt(file, sectionTable, sectionEntrySize * sectionCount);

        for (int i = 0; i < sectionCount; i++)
        {
            int at = i * sectionEntrySize;
            if (BitConverter.ToUInt32(sections, at + 4) != ShtDynamic)
                continue;
            byte[] dynamic = ReadAt(file, BitConverter.ToInt64(sections, at + 24), checked((int)BitConverter.ToInt64(sections, at + 32)));
            int stringsAt = checked((int)BitConverter.ToUInt32(sections, at + 40)) * sectionEntrySize;
            byte[] strings = ReadAt(file, BitConverter.ToInt64(sections, stringsAt + 24), checked((int)BitConverter.ToInt64(sections, stringsAt + 32)));

            var needed = new List<string>();
            for (int entry = 0; entry + 16 <= dynamic.Length; entry += 16)
            {
                long tag = BitConverter.ToInt64(dynamic, entry);
                if (tag == DtNull)
                    break;
                if (tag == DtNeeded)
                    needed.Add(CString(strings, checked((int)BitConverter.ToInt64(dynamic, entry + 8))));
            }
            return needed;
        }
        return Array.Empty<string>();
    }

    /// <summary>
    /// The libraries <paramref name="root"/> loads, directly or not, that lie in <paramref name="folders"/>
    /// (the system libraries it needs are left out), with <paramref name="root"/>'s own file name.
    /// </summary>
    public static SortedSet<string> ClosureWithin(string root, params string[] folders)
    {
        var closure = new SortedSet<string>(StringComparer.Ordinal) { Path.GetFileName(root) };
        var pending = new Queue<string>(new[] { root });
        while (pending.Count > 0)
        {
            foreach (string name in Read(pending.Dequeue()))
            {
                string? found = Array.Find(Array.ConvertAll(folders, folder => Path.Combine(folder, name)), File.Exists);
                if (found is not null && closure.Add(name))
                    pending.Enqueue(found);
            }
        }
        return closure;
    }

    private static byte[] ReadAt(FileStream file, long offset, int count)
    {
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }

    private static string CString(byte[] bytes, int start)
    {
        int end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, (end < 0 ? bytes.Length : end) - start);
    }
}
