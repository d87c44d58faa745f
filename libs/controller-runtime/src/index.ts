// Controller machinery over @kubernetes/client-node (see docs/controller-runtime.md).
export {};
