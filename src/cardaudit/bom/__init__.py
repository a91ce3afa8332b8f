"""AI bills of materials: SPDX 3.0.1 (AI and dataset profiles), SPDX 2.3 and CycloneDX 1.6."""
