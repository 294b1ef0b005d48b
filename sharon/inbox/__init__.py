"""Ask the team: a member's or carer's private conversations with the moderating team."""
