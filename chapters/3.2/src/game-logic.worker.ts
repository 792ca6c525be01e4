// Worker thread for 3.2.5: runs the heavy game logic (route planning) off the main thread.
import { type PlanRequest, planRoute } from './pathfinding.ts';
import { serve } from './serve.ts';

serve((request: PlanRequest) => planRoute(request));
