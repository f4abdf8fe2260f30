// The worker pool's entry point (piscina calls the default export with each task).
import { runComputeTask, type ComputeTask } from './tasks.js';

export default function run(task: ComputeTask): boolean {
  return runComputeTask(task);
}
