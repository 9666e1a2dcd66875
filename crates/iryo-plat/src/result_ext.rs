//! Conveniences on the generated result type.

use crate::types::{PermissionGroup, PermissionGroupResult};

impl PermissionGroupResult {
    /// The permission group, under either spelling: the document's sample says `permissionGroup`,
    /// its table `permissonGroup` (fixup `permission-group-spelling`).
    pub fn group(&self) -> Option<&PermissionGroup> {
        self.permission_group
            .as_ref()
            .or(self.permisson_group.as_ref())
    }
}
