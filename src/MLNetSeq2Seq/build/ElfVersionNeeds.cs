// This file is compiled twice: into MLNetSeq2Seq.dll (load diagnostics and tests), and at build time by
// MSBuild's RoslynCodeTaskFactory from build/MLNetSeq2Seq.targets, where it patches TorchSharp's native shim in
// the build and publish output. It therefore uses only netstandard APIs and no newer C# than the SDK's default.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MLNetSeq2Seq.Native
{
    /// <summary>One version requirement (an ELF Vernaux record) of a shared library.</summary>
    internal sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string library, string version, ushort flags, ushort versionIndex, int flagsOffset, List<string> undefinedSymbols)
        {
            Library = library;
            Version = version;
            Flags = flags;
            VersionIndex = versionIndex;
            FlagsOffset = flagsOffset;
            UndefinedSymbols = undefinedSymbols;
        }

        /// <summary>The library that must provide the version, e.g. libstdc++.so.6.</summary>
        public string Library { get; }
        /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
        public string Version { get; }
        /// <summary>vna_flags; bit 0x2 (VER_FLG_WEAK) makes a missing version a note instead of a load failure.</summary>
        public ushort Flags { get; }
        /// <summary>vna_other: the index that .gnu.version uses for symbols bound to this version.</summary>
        public ushort VersionIndex { get; }
        /// <summary>File offset of vna_flags.</summary>
        public int FlagsOffset { get; }
        /// <summary>Undefined dynamic symbols that the library imports with this version.</summary>
        public List<string> UndefinedSymbols { get; }
        public bool IsWeak { get { return (Flags & ElfVersionNeeds.WeakFlag) != 0; } }
    }

    /// <summary>
    /// Reads and relaxes the GNU version requirements (section type SHT_GNU_verneed) of an ELF64 little-endian
    /// shared library. TorchSharp 0.107's shim was linked against GCC 13's libstdc++ and so requires
    /// GLIBCXX_3.4.32, which older distributions (Debian 12: GCC 12) lack; its only symbol of that version,
    /// std::ios_base_library_init, is referenced by &lt;iostream&gt; to pull in the newer library and never called.
    /// Marking that one requirement weak lets the dynamic loader accept the older libstdc++.
    /// </summary>
    internal static class ElfVersionNeeds
    {
        public const ushort WeakFlag = 0x2;
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;

        public static bool IsElf64LittleEndian(byte[] image)
        {
            return image.Length > 64 && image[0] == 0x7f && image[1] == (byte)'E' && image[2] == (byte)'L'
                && image[3] == (byte)'F' && image[4] == 2 && image[5] == 1;
        }

        /// <summary>Lists every version requirement with the undefined symbols bound to it.</summary>
        public static List<ElfVersionNeed> Read(byte[] image)
        {
            if (!IsElf64LittleEndian(image))
                throw new InvalidDataException("Not an ELF64 little-endian file.");
            long sectionTable = (long)ReadU64(image, 0x28);
            int sectionEntrySize = ReadU16(image, 0x3A);
            int sectionCount = ReadU16(image, 0x3C);

            int verneed = -1, versym = -1, dynsym = -1;
            for (int i = 0; i < sectionCount; i++)
            {
                uint type = ReadU32(image, Section(sectionTable, sectionEntrySize, i) + 4);
                if (type == ShtGnuVerneed) verneed = i;
                else if (type == ShtGnuVersym) versym = i;
                else if (type == ShtDynsym) dynsym = i;
            }
            var needs = new List<ElfVersionNeed>();
            if (verneed < 0)
                return needs;

            long verneedHeader = Section(sectionTable, sectionEntrySize, verneed);
            long verneedOffset = (long)ReadU64(image, verneedHeader + 24);
            int verneedStrings = (int)ReadU32(image, verneedHeader + 40);
            long verneedStringsOffset = (long)ReadU64(image, Section(sectionTable, sectionEntrySize, verneedStrings) + 24);
            uint recordCount = ReadU32(image, verneedHeader + 44);

            Dictionary<ushort, List<string>> symbolsByVersion = ReadUndefinedSymbolsByVersion(image, sectionTable, sectionEntrySize, dynsym, versym);

            long record = verneedOffset;
            for (uint r = 0; r < recordCount; r++)
            {
                int auxCount = ReadU16(image, record + 2);
                string library = ReadString(image, verneedStringsOffset + ReadU32(image, record + 4));
                long aux = record + ReadU32(image, record + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = ReadU16(image, aux + 4);
                    ushort index = ReadU16(image, aux + 6);
                    string version = ReadString(image, verneedStringsOffset + ReadU32(image, aux + 8));
                    List<string>? symbols;
                    if (!symbolsByVersion.TryGetValue(index, out symbols))
                        symbols = new List<string>();
                    needs.Add(new ElfVersionNeed(library, version, flags, index, checked((int)(aux + 4)), symbols));
                    uint nextAux = ReadU32(image, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = ReadU32(image, record + 12);
                if (next == 0) break;
                record += next;
            }
            return needs;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>, in memory, when every symbol
        /// bound to it is in <paramref name="allowedSymbols"/>. Returns a sentence describing what was done.
        /// </summary>
        public static string TryWeaken(byte[] image, string version, ICollection<string> allowedSymbols, out bool changed)
        {
            changed = false;
            foreach (ElfVersionNeed need in Read(image))
            {
                if (need.Version != version)
                    continue;
                if (need.IsWeak)
                    return version + " is already a weak requirement.";
                foreach (string symbol in need.UndefinedSymbols)
                {
                    if (!allowedSymbols.Contains(symbol))
                        return version + " was left strict: symbol '" + symbol + "' needs it and is not known to be unused.";
                }
                ushort flags = (ushort)(need.Flags | WeakFlag);
                image[need.FlagsOffset] = (byte)(flags & 0xff);
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
                return version + " (needed from " + need.Library + " by " + string.Join(", ", need.UndefinedSymbols) + ") marked weak.";
            }
            return version + " is not required.";
        }

        private static Dictionary<ushort, List<string>> ReadUndefinedSymbolsByVersion(byte[] image, long sectionTable, int sectionEntrySize, int dynsym, int versym)
        {
            var result = new Dictionary<ushort, List<string>>();
            if (dynsym < 0 || versym < 0)
                return result;
            long dynsymHeader = Section(sectionTable, sectionEntrySize, dynsym);
            long symbolsOffset = (long)ReadU64(image, dynsymHeader + 24);
            long symbolsSize = (long)ReadU64(image, dynsymHeader + 32);
            long symbolEntrySize = (long)ReadU64(image, dynsymHeader + 56);
            int stringsSection = (int)ReadU32(image, dynsymHeader + 40);
            long stringsOffset = (long)ReadU64(image, Section(sectionTable, sectionEntrySize, stringsSection) + 24);
            long versionsOffset = (long)ReadU64(image, Section(sectionTable, sectionEntrySize, versym) + 24);
            if (symbolEntrySize <= 0)
                return result;

            long count = symbolsSize / symbolEntrySize;
            for (long i = 0; i < count; i++)
            {
                long symbol = symbolsOffset + i * symbolEntrySize;
                ushort sectionIndex = ReadU16(image, symbol + 6);
                if (sectionIndex != 0)
                    continue; // defined here, not imported
                ushort versionIndex = (ushort)(ReadU16(image, versionsOffset + 2 * i) & 0x7fff);
                List<string>? names;
                if (!result.TryGetValue(versionIndex, out names))
                {
                    names = new List<string>();
                    result[versionIndex] = names;
                }
                names.Add(ReadString(image, stringsOffset + ReadU32(image, symbol)));
            }
            return result;
        }

        private static long Section(long table, int entrySize, int index)
        {
            return table + (long)index * entrySize;
        }

        private static ushort ReadU16(byte[] b, long at)
        {
            Check(b, at, 2);
            return (ushort)(b[at] | b[at + 1] << 8);
        }

        private static uint ReadU32(byte[] b, long at)
        {
            Check(b, at, 4);
            return (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);
        }

        private static ulong ReadU64(byte[] b, long at)
        {
            return ReadU32(b, at) | (ulong)ReadU32(b, at + 4) << 32;
        }

        private static string ReadString(byte[] b, long at)
        {
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            Check(b, at, (int)(end - at));
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }

        private static void Check(byte[] b, long at, int length)
        {
            if (at < 0 || at + length > b.Length)
                throw new InvalidDataException("ELF structure points outside the file (offset " + at + ").");
        }
    }
}

#if !MLNETSEQ2SEQ_LIBRARY
namespace MLNetSeq2Seq.Build
{
    /// <summary>
    /// MSBuild task: in the given output copies of libLibTorchSharp.so, marks the listed version requirements weak.
    /// Writes a new file (temp + rename) so that a hard link into the NuGet cache is never modified.
    /// </summary>
    public sealed class WeakenElfVersionNeeds : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        [Microsoft.Build.Framework.Required]
        public string Versions { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string AllowedSymbols { get; set; } = "";

        public override bool Execute()
        {
            var allowed = new HashSet<string>(AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (Microsoft.Build.Framework.ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                byte[] image = File.ReadAllBytes(path);
                if (!MLNetSeq2Seq.Native.ElfVersionNeeds.IsElf64LittleEndian(image))
                    continue;
                bool anyChange = false;
                foreach (string version in Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    bool changed;
                    string outcome = MLNetSeq2Seq.Native.ElfVersionNeeds.TryWeaken(image, version, allowed, out changed);
                    anyChange |= changed;
                    if (outcome.Contains("left strict"))
                        Log.LogWarning("MLNetSeq2Seq: " + path + ": " + outcome);
                    else
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "MLNetSeq2Seq: " + path + ": " + outcome);
                }
                if (!anyChange)
                    continue;
                string temporary = path + ".mlnetseq2seq.tmp";
                File.WriteAllBytes(temporary, image);
                // Unlink, then rename: the old directory entry may be a hard link into the NuGet cache.
                File.Delete(path);
                File.Move(temporary, path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "MLNetSeq2Seq: relaxed " + Versions + " in " + path);
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
