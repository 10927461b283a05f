//! Who holds a credential: the vendor's category and the kind of credential a rule
//! finds. Both are closed sets, so the inventory can group and count by them and a typo
//! in a rule file is an error naming file, line and key rather than a new group.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A closed kebab-case enum with `ALL`, `as_str` and `Display`, one list of names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The kebab-case name rule files and every output use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// What a vendor does for the code that holds its credentials.
    Category {
        /// Model APIs, ML platforms, vector stores, AI search.
        Ai = "ai",
        /// Product analytics and event pipelines (Mixpanel, Segment, PostHog).
        AnalyticsTelemetry = "analytics-telemetry",
        /// Cloud, hosting, CDN and storage providers.
        Cloud = "cloud",
        /// Git hosting (GitHub, GitLab, Bitbucket).
        CodeHosting = "code-hosting",
        /// CI, deployment, code quality and test services.
        CiCd = "ci-cd",
        /// Payments and commerce.
        Payments = "payments",
        /// Chat, SMS, voice and push.
        Messaging = "messaging",
        /// Email delivery and marketing.
        Email = "email",
        /// Identity providers and auth services.
        Identity = "identity",
        /// Hosted databases, warehouses, search indexes and content stores.
        Data = "data",
        /// Error tracking, logs, metrics, APM and on-call.
        Monitoring = "monitoring",
        /// Secrets managers and vaults.
        SecretsManagement = "secrets-management",
        /// Package and container registries.
        PackageRegistry = "package-registry",
        /// Work management, documents, design and meetings.
        Productivity = "productivity",
        /// CRM and customer support.
        CrmSupport = "crm-support",
        /// Social networks and streaming.
        SocialMedia = "social-media",
        /// Feature flags, API tooling, maps and other developer services.
        DeveloperTools = "developer-tools",
        /// IoT platforms.
        Iot = "iot",
        /// Software the team runs itself (databases, Kubernetes, web frameworks): no
        /// third party holds the credential, but it still needs rotating.
        SelfHosted = "self-hosted",
        /// Formats with no issuer (private keys, JWTs, passwords, password hashes).
        Generic = "generic",
        /// A config rule's vendor that no rule file describes.
        Other = "other",
    }
}

named_enum! {
    /// What a rule finds: a kind of credential, a public identifier, or (endpoint rules,
    /// run only by the inventory) code that sends data to the vendor.
    CredentialKind {
        /// A server-side API key or secret.
        SecretKey = "secret-key",
        /// A key with administrative or management rights.
        AdminKey = "admin-key",
        /// A service account's credential.
        ServiceAccount = "service-account",
        /// A webhook URL or webhook signing secret.
        Webhook = "webhook",
        /// A user's personal access token.
        PersonalToken = "personal-token",
        /// An OAuth, bot, session or app access token.
        AccessToken = "access-token",
        /// An OAuth or app client secret.
        ClientSecret = "client-secret",
        /// A key that signs or encrypts (JWT secrets, framework secret keys).
        SigningKey = "signing-key",
        /// A connection string or URL that carries a password or key.
        ConnectionString = "connection-string",
        /// A password.
        Password = "password",
        /// A password hash (crackable offline).
        PasswordHash = "password-hash",
        /// A private key.
        PrivateKey = "private-key",
        /// A publishable key or project token: not a secret, but it shows data flowing
        /// to the vendor.
        PublicIdentifier = "public-identifier",
        /// No credential: an API endpoint or SDK call that sends data to the vendor.
        Endpoint = "endpoint",
    }
}

impl CredentialKind {
    /// Whether a match is a secret to rotate (not a public identifier or endpoint use).
    pub fn is_secret(self) -> bool {
        !matches!(
            self,
            CredentialKind::PublicIdentifier | CredentialKind::Endpoint
        )
    }
}
