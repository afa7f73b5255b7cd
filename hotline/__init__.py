"""hotline: an SMS and voice crisis line for survivors of domestic and dowry-related violence."""
