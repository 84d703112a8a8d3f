package record

// Identifier kinds: the user identifiers a row may carry.
const (
	IDIdentity = "identity"
	IDObjectID = "objectId"
	IDFbID     = "fbId"
	IDGpID     = "gpId"
)

// IdentifierKinds lists the identifier kinds in the order the API shows them.
var IdentifierKinds = []string{IDIdentity, IDObjectID, IDFbID, IDGpID}

// Identifier is one (kind, value) pair that finds a profile.
type Identifier struct {
	Kind  string
	Value string
}
