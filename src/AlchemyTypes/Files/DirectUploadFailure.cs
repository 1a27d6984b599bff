namespace AlchemyTypes;

/// <summary>Why a direct upload could not be created or attached.</summary>
public enum DirectUploadFailure
{
    /// <summary>The token is malformed, altered or signed with another key (nothing more is said, on purpose).</summary>
    InvalidToken,

    /// <summary>The token's time is over: ask for a new upload target.</summary>
    Expired,

    /// <summary>The token was issued for another property than the one it is attached to.</summary>
    WrongProperty,

    /// <summary>No object was uploaded for the token (or it was attached already and removed from its upload place).</summary>
    NotUploaded,

    /// <summary>The token was attached already: its file belongs to a row.</summary>
    AlreadyAttached,

    /// <summary>The property's storage backend cannot sign upload URLs, or direct uploads are not configured.</summary>
    NotSupported,
}
