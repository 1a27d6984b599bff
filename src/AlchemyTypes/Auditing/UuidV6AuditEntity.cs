using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>A base entity with a time-ordered UUID version 6 primary key and audit columns.</summary>
public abstract class UuidV6AuditEntity : AuditEntityBase
{
    /// <summary>The primary key, generated on the client when the entity is added.</summary>
    [UuidV6]
    public Guid Id { get; set; }
}
