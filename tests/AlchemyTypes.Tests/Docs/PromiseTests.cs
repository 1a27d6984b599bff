using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace AlchemyTypes.Tests.Docs;

/// <summary>A test method that names a promise with <c>[Promise("P-…")]</c>.</summary>
internal sealed record PromiseTest(string Id, string Assembly, string Test, bool IsTest);

/// <summary>
/// Reads the <c>[Promise]</c> attributes of a compiled test assembly from its metadata (no loading, so the functional
/// test assembly and its dependencies never enter this process).
/// </summary>
internal static class PromiseTests
{
    internal static IEnumerable<PromiseTest> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var assembly = Path.GetFileNameWithoutExtension(assemblyPath);
        var found = new List<PromiseTest>();
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                var attributes = method.GetCustomAttributes().Select(reader.GetCustomAttribute).ToList();
                var isTest = attributes.Any(a => AttributeTypeName(reader, a) is "FactAttribute" or "TheoryAttribute");
                foreach (var attribute in attributes.Where(a => AttributeTypeName(reader, a) == "PromiseAttribute"))
                {
                    var value = attribute.DecodeValue(new NameProvider());
                    var test = $"{reader.GetString(type.Name)}.{reader.GetString(method.Name)}";
                    foreach (var id in Ids(value))
                    {
                        found.Add(new PromiseTest(id, assembly, test, isTest));
                    }
                }
            }
        }

        return found;
    }

    private static IEnumerable<string> Ids(CustomAttributeValue<string> value)
    {
        foreach (var argument in value.FixedArguments)
        {
            if (argument.Value is ImmutableArray<CustomAttributeTypedArgument<string>> many)
            {
                foreach (var item in many)
                {
                    yield return item.Value as string ?? "";
                }
            }
            else if (argument.Value is string one)
            {
                yield return one;
            }
        }
    }

    private static string? AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        var parent = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return parent.Kind switch
        {
            HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name),
            HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)parent).Name),
            _ => null,
        };
    }

    private sealed class NameProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
            => reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
            => reader.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
