export { Stack, DEVICE_CLASS, MAIN, WORKSPACE, type StackNode, type StackOptions } from './stack';
export { Kubectl, Proc, type KubectlResult, type ProcOptions } from './process';
