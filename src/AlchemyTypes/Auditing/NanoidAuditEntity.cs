using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>A base entity with a 21-symbol Nanoid primary key and audit columns.</summary>
public abstract class NanoidAuditEntity : AuditEntityBase
{
    /// <summary>The primary key, generated on the client when the entity is added.</summary>
    [Nanoid]
    public string Id { get; set; } = null!;
}
