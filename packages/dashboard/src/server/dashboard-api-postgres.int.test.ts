import { postgresInit } from '../test-support/backend-init.js';
import { describeDashboardApi } from '../test-support/describe-dashboard-api.js';

describeDashboardApi(postgresInit);
