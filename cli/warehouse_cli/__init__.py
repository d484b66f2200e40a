"""`warehouse`: the warehouse inventory API's command-line client (HTTP only, no AWS access)."""
