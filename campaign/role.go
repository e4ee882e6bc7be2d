package campaign

import "fmt"

// Role is a member's role in a workspace.
type Role string

// Roles, from most to least privileged.
const (
	// RoleTeamAdmin manages members, workspace settings and workspace-wide
	// suppression, and can do everything a CampaignManager can.
	RoleTeamAdmin Role = "team_admin"
	// RoleCampaignManager creates and configures campaigns, lists,
	// dispositions and imports, and can do everything a Caller can.
	RoleCampaignManager Role = "campaign_manager"
	// RoleCaller dials, saves outcomes and edits the contacts they call,
	// but cannot change campaign settings.
	RoleCaller Role = "caller"
	// RoleViewer reads; it cannot call, save outcomes, import or change
	// anything.
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleTeamAdmin, RoleCampaignManager, RoleCaller, RoleViewer:
		return true
	}
	return false
}

// Action is an operation subject to a permission check: a mutation, or
// [ActionView] for reads that take an actor.
type Action string

// Actions checked by [Permit].
const (
	ActionManageMembers     Action = "manage_members"     // add, change or remove members
	ActionManageWorkspace   Action = "manage_workspace"   // change workspace settings
	ActionManageSuppression Action = "manage_suppression" // workspace-wide (global) suppression
	ActionManageCampaign    Action = "manage_campaign"    // create campaigns, change settings, lists, dispositions, goals, schedules
	ActionChangeStatus      Action = "change_status"      // start, pause, complete, cancel, archive
	ActionImport            Action = "import"             // import contacts
	ActionCampaignDNC       Action = "campaign_dnc"       // client and campaign suppression lists
	ActionEditContact       Action = "edit_contact"       // edit a contact, add notes
	ActionEraseContact      Action = "erase_contact"      // erase personal data on request
	ActionDial              Action = "dial"               // place calls, take preview contacts
	ActionSaveOutcome       Action = "save_outcome"       // save a disposition
	ActionExport            Action = "export"             // export contacts, attempts and reports
	ActionView              Action = "view"               // read the workspace's change feed (every member)
)

// permissions lists what each role may do; a role absent from an action's
// set is refused.
var permissions = map[Role]map[Action]bool{
	RoleTeamAdmin: {
		ActionManageMembers: true, ActionManageWorkspace: true, ActionManageSuppression: true,
		ActionManageCampaign: true, ActionChangeStatus: true, ActionImport: true, ActionCampaignDNC: true,
		ActionEditContact: true, ActionEraseContact: true, ActionDial: true, ActionSaveOutcome: true, ActionExport: true, ActionView: true,
	},
	RoleCampaignManager: {
		ActionManageCampaign: true, ActionChangeStatus: true, ActionImport: true, ActionCampaignDNC: true,
		ActionEditContact: true, ActionEraseContact: true, ActionDial: true, ActionSaveOutcome: true, ActionExport: true, ActionView: true,
	},
	RoleCaller: {
		ActionEditContact: true, ActionDial: true, ActionSaveOutcome: true, ActionView: true,
	},
	RoleViewer: {ActionView: true},
}

// Permit reports whether role may perform action. It is the one permission
// check every mutating operation uses; a refusal wraps [ErrForbidden] and
// names the role and the action.
func Permit(role Role, action Action) error {
	if permissions[role][action] {
		return nil
	}
	return fmt.Errorf("%w: role %q may not %s", ErrForbidden, role, action)
}
