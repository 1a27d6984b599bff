using AlchemyTypes.Internal;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// The FileObject and FileObjectList values of a tracked entity entry: its own properties and those of its EF complex
/// properties, nested (owned entities are entries of their own). Complex collections are not covered.
/// </summary>
internal static class FileMembers
{
    public static IEnumerable<FileMember> Of(EntityEntry entry)
    {
        foreach (var property in FileProperty.Of(entry.Metadata))
        {
            yield return new FileMember(property, entry.Property(property.Property), null);
        }

        foreach (var complex in entry.Metadata.GetComplexProperties())
        {
            if (complex.IsCollection)
            {
                continue;
            }

            foreach (var member in OfComplex(entry.ComplexProperty(complex)))
            {
                yield return member;
            }
        }
    }

    private static IEnumerable<FileMember> OfComplex(ComplexPropertyEntry complexEntry)
    {
        var type = complexEntry.Metadata.ComplexType;
        foreach (var property in FileProperty.Of(type))
        {
            yield return new FileMember(property, complexEntry.Property(property.Property), complexEntry);
        }

        foreach (var nested in type.GetComplexProperties())
        {
            if (nested.IsCollection)
            {
                continue;
            }

            foreach (var member in OfComplex(complexEntry.ComplexProperty(nested)))
            {
                yield return member;
            }
        }
    }
}

/// <summary>One file-valued property of a tracked entry.</summary>
internal sealed record FileMember(FileProperty Rule, PropertyEntry Entry, ComplexPropertyEntry? Complex)
{
    /// <summary>The files the property holds now (none when its complex value is null).</summary>
    public IEnumerable<FileObject> Current => Complex is { CurrentValue: null } ? [] : Rule.Items(Entry.CurrentValue);

    /// <summary>The files the property held when loaded or last saved.</summary>
    public IEnumerable<FileObject> Original
    {
        get
        {
            try
            {
                return Rule.Items(Entry.OriginalValue).ToList();
            }
            catch (InvalidOperationException) when (Complex is not null)
            {
                return []; // a complex value that was null has no original files
            }
        }
    }

    public string BackendOf(FileObject file, string defaultBackend) => file.Backend ?? Rule.Backend ?? defaultBackend;
}
