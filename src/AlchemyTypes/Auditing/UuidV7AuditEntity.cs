using AlchemyTypes.Keys;

namespace AlchemyTypes;

/// <summary>A base entity with a time-ordered UUID version 7 primary key (SQL Server layout on SQL Server) and audit columns.</summary>
public abstract class UuidV7AuditEntity : AuditEntityBase
{
    /// <summary>The primary key, generated on the client when the entity is added.</summary>
    [UuidV7]
    public Guid Id { get; set; }
}
