// Typed use of the TypeScript types that openapi-typescript generates from dist/specs/ (cargo xtask
// spec-check writes them to target/spec-tools/ts/ and runs `tsc --noEmit -p tools/spec-check`).
// Every `@ts-expect-error` below is a proof too: tsc fails if the line it marks type-checks.

import type { components as Orca, paths as OrcaPaths } from "../../target/spec-tools/ts/orca";
import type { components as Plat, operations as PlatOperations } from "../../target/spec-tools/ts/plat";
import type { paths as HiyariPaths } from "../../target/spec-tools/ts/hiyari";

// ORCA: the request body of POST /api01rv2/pusheventgetv2, as the document's sample writes it.
type PushEventRequest =
  OrcaPaths["/api01rv2/pusheventgetv2"]["post"]["requestBody"]["content"]["application/json"];
export const documentRequest: PushEventRequest = {
  pusheventgetv2req: {
    event: "patient_accept",
    user: "ormaster",
    start_time: "2018-01-24 13:00",
    end_time: "2018-01-25 12:59",
  },
};

// ORCA: the error code is the enum of table orca-push-error-code, not any string.
type PushErrorCode = Orca["schemas"]["PushEventError"]["code"];
export const unknownUser: PushErrorCode = "0099";
// @ts-expect-error "9999" is not in orca-push-error-code
export const notACode: PushErrorCode = "9999";

// ORCA: a response field. The 200 answer is a list of notifications or an error object.
type PushEventAnswer =
  OrcaPaths["/api01rv2/pusheventgetv2"]["post"]["responses"][200]["content"]["application/json"];
export function uuids(answer: PushEventAnswer): string[] {
  if (!Array.isArray(answer)) {
    return [];
  }
  return answer.flatMap((item) => ("data" in item ? [item.data.uuid] : []));
}
export function errorCode(answer: PushEventAnswer): PushErrorCode | undefined {
  if (Array.isArray(answer)) {
    return undefined;
  }
  return "error" in answer ? answer.error.code : answer.code;
}

// ORCA: Patient_Mode in an event body uses table orca-patient-mode.
type PatientMode = NonNullable<Orca["schemas"]["PatientAcceptBody"]["Patient_Mode"]>;
export const modes: PatientMode[] = ["add", "modify", "delete"];

// PLAT: the request body of PRV_ROL_010 and the deleted flag of the answer (an integer table).
type DeleteRequest =
  PlatOperations["deleteProviderPermission"]["requestBody"]["content"]["application/json"];
export const deleteRequest: DeleteRequest = { comment: "〜のため削除します" };

type DeletedFlag = Plat["schemas"]["PermissionGroup"]["deletedFlg"];
export const deleted: DeletedFlag = 1;
export const unknownFlag: DeletedFlag = null; // nullable: null is listed in the enum
// @ts-expect-error 2 is not in plat-deleted-flag
export const notAFlag: DeletedFlag = 2;

type DeleteAnswer =
  PlatOperations["deleteProviderPermission"]["responses"][200]["content"]["application/json"];
export function groupDeleted(answer: DeleteAnswer): boolean {
  if ("errorCode" in answer) {
    return false;
  }
  const group = answer.permissionGroup ?? answer.permissonGroup;
  return group?.deletedFlg === 1;
}

type PlatErrorCode = Plat["schemas"]["PlatError"]["errorCode"];
export const serverError: PlatErrorCode = "PLAT500";
// @ts-expect-error "PLAT999" is not in plat-error-code
export const notAPlatCode: PlatErrorCode = "PLAT999";

// hiyari: the query's item parameter takes the tags of table hiyari-xml-tag.
type HiyariQuery = NonNullable<
  HiyariPaths["/phsearch/SearchReportApi.action"]["get"]["parameters"]["query"]
>;
export const factorSearch: HiyariQuery = { item: ["LSTFACTOR"], word: ["過労 疲労"], condition: ["any"] };
// @ts-expect-error "NOT_A_TAG" is not in hiyari-xml-tag
export const badItem: HiyariQuery = { item: ["NOT_A_TAG"] };
