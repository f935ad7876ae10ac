// Why this exists: ML.NET keeps its model save/load plumbing internal (LoadableClass, ModelSaveContext members,
// ModelLoadContext, VersionInfo), so without it no component outside the ML.NET repository can be saved with
// mlContext.Model.Save and loaded with mlContext.Model.Load. The build compiles this assembly against publicized
// copies of Microsoft.ML.Core and Microsoft.ML.Data (eng/MLNetPublicizer.targets); at run time the CLR honours this
// attribute and skips its access checks for calls into those two assemblies. Only MLNetInterop/ may use them.
using System;

[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>Recognised by the CLR by name: lets this assembly call non-public members of the named assembly.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        public string AssemblyName { get; }
    }
}
