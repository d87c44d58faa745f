// The LogicalVolume CRD contract: name sets, types and the CRD YAML from one source.
export {};
