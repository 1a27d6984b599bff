using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>A base entity with a random UUID (version 4) primary key and audit columns.</summary>
public abstract class UuidAuditEntity : AuditEntityBase
{
    /// <summary>The primary key, generated on the client when the entity is added.</summary>
    [UuidV4]
    public Guid Id { get; set; }
}
